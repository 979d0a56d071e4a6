import http from 'node:http';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostName, requestGuard } from '../../src/local/guard.js';
import { testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request as a browser (or anything else) might craft it: any Host, Origin or Sec-Fetch-* header. */
function raw(headers: Record<string, string>, options: { method?: string; path?: string; body?: string } = {}): Promise<Answer> {
  const body = options.body ?? '{}';
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: t.emulator.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'AWSStepFunctions.ListStateMachines',
          ...(options.method === 'GET' ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    if (options.method !== 'GET') request.end(body);
    else request.end();
  });
}

const here = () => `127.0.0.1:${t.emulator.port}`;

describe('requests the emulator serves', () => {
  it('answers the SDK, and loopback names and addresses in Host', async () => {
    await expect(t.sfn.send(new ListStateMachinesCommand({}))).resolves.toHaveProperty('stateMachines');
    for (const host of [here(), `localhost:${t.emulator.port}`, 'localhost', `[::1]:${t.emulator.port}`, '127.0.0.2', 'LOCALHOST.', 'api.localhost:8083']) {
      expect((await raw({ Host: host })).status, host).toBe(200);
    }
  });

  it('serves a page-less client of its own origin and a user typing the URL (Sec-Fetch-Site: none)', async () => {
    expect((await raw({ Host: here(), Origin: `http://${here()}` })).status).toBe(200);
    expect((await raw({ Host: here(), 'Sec-Fetch-Site': 'none' }, { method: 'GET', path: '/deliv/status' })).status).toBe(200);
  });
});

describe('requests the emulator refuses', () => {
  it('refuses a DNS-rebound name in Host with 403, before running the action', async () => {
    const before = (await t.sfn.send(new ListStateMachinesCommand({}))).stateMachines?.length;
    const answer = await raw(
      { Host: `attacker.example:${t.emulator.port}`, 'X-Amz-Target': 'AWSStepFunctions.CreateStateMachine' },
      { body: JSON.stringify({ name: 'pwned', definition: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}', roleArn: 'arn:aws:iam::123456789012:role/R' }) },
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'AccessDeniedException' });
    expect(answer.body).toContain('attacker.example');
    expect((await t.sfn.send(new ListStateMachinesCommand({}))).stateMachines?.length).toBe(before);
  });

  it('refuses rebinding of the internal endpoints too (they list task tokens)', async () => {
    const answer = await raw({ Host: 'rebind.attacker.example' }, { method: 'GET', path: '/deliv/tasks' });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain('tasks');
  });

  it('refuses a cross-site page (CSRF) by its Origin or Sec-Fetch-Site, whatever its content type', async () => {
    const origins = ['https://evil.example', 'null', `http://localhost:3000`, `https://${here()}`];
    for (const origin of origins) {
      const answer = await raw({ Host: here(), Origin: origin, 'Content-Type': 'text/plain' });
      expect(answer.status, origin).toBe(403);
    }
    for (const site of ['cross-site', 'same-site']) expect((await raw({ Host: here(), 'Sec-Fetch-Site': site })).status, site).toBe(403);
  });

  it('sends no CORS headers, not even to a preflight', async () => {
    const preflight = await raw(
      { Host: here(), Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-amz-target' },
      { method: 'OPTIONS' },
    );
    expect(preflight.status).toBe(403);
    const served = await raw({ Host: here() });
    for (const answer of [preflight, served]) {
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('the Host rule', () => {
  it('reads the host out of names, IPv4 and bracketed IPv6 with and without a port', () => {
    expect(hostName('LocalHost:8083')).toBe('localhost');
    expect(hostName('[::1]:8083')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('10.0.0.5')).toBe('10.0.0.5');
    expect(hostName(undefined)).toBeUndefined();
  });

  it('accepts the address given to --host, and nothing else that is not loopback', () => {
    const guard = requestGuard('192.168.1.20');
    expect(guard.refuse({ host: '192.168.1.20:8083' })).toBeUndefined();
    expect(guard.refuse({ host: '192.168.1.21:8083' })).toMatch(/not this machine/);
    expect(guard.refuse({ host: 'localhost.attacker.example' })).toMatch(/not this machine/);
    expect(guard.refuse({ host: '127.0.0.1.nip.io' })).toMatch(/not this machine/);
    expect(guard.refuse({})).toMatch(/no Host/);
  });
});
