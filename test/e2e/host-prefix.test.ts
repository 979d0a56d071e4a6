/**
 * The `sync-` host prefix, client by client, against `deliv local start` as
 * a user runs it. AWS's SDKs send StartSyncExecution (and TestState) to
 * `sync-<endpoint host>`, which for `127.0.0.1` is a name that does not
 * resolve. Each client is tried as it comes (it fails that way) and with the
 * workaround the README gives (it works): the JS SDK's `disableHostPrefix`,
 * boto3's `Config(inject_host_prefix=False)`, AWS CLI v1's
 * `AWS_DISABLE_HOST_PREFIX_INJECTION=true`, and for AWS CLI v2 (whose 2.9
 * has no such switch) an endpoint name whose `sync-` twin resolves too. A client
 * that is not installed is skipped, and the test's name says so.
 */
import { SFNClient, StartSyncExecutionCommand, TestStateCommand } from '@aws-sdk/client-sfn';
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLI_V1, AWS_CLI_V2, awsClientEnv, BOTO3_PYTHON } from '../helpers/aws-clients.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { startCliEmulator, type ChildEmulator } from '../helpers/emulator-child.js';

const run = promisify(execFile);
const CLI_V1 = AWS_CLI_V1;
const CLI_V2 = AWS_CLI_V2;
const PYTHON = BOTO3_PYTHON ?? 'python3';
const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:quote-delivery';
const PASS_STATE = JSON.stringify({ Type: 'Pass', Result: { quoted: true }, End: true });
/** The name the README puts in /etc/hosts for AWS CLI v2, with its `sync-` twin. */
const HOSTS_NAME = 'deliv.localhost';

const workspace = tempDir('deliv-e2e-host-prefix-');
let emulator: ChildEmulator;
let port: string;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
// One try: a name that does not resolve fails at once instead of after the retries.
const clientEnv = () => awsClientEnv({ AWS_MAX_ATTEMPTS: '1' });

beforeAll(async () => {
  emulator = await startCliEmulator(workspace.dir);
  port = new URL(emulator.endpoint).port;
  const sfn = new SFNClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
  const { CreateStateMachineCommand } = await import('@aws-sdk/client-sfn');
  await sfn.send(
    new CreateStateMachineCommand({
      name: 'quote-delivery',
      type: 'EXPRESS',
      roleArn: ROLE,
      definition: JSON.stringify({ StartAt: 'Quote', States: { Quote: JSON.parse(PASS_STATE) as object } }),
    }),
  );
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  workspace.cleanup();
});

describe('AWS SDK for JavaScript v3', () => {
  const client = (disableHostPrefix?: boolean) =>
    new SFNClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1, ...(disableHostPrefix === undefined ? {} : { disableHostPrefix }) });

  it('as it comes, sends StartSyncExecution and TestState to sync-127.0.0.1, which does not resolve', async () => {
    await expect(client().send(new StartSyncExecutionCommand({ stateMachineArn: MACHINE }))).rejects.toThrow(/ENOTFOUND sync-127\.0\.0\.1/);
    await expect(client().send(new TestStateCommand({ definition: PASS_STATE, roleArn: ROLE }))).rejects.toThrow(/ENOTFOUND sync-127\.0\.0\.1/);
  });

  it('with disableHostPrefix: true, runs both', async () => {
    const started = await client(true).send(new StartSyncExecutionCommand({ stateMachineArn: MACHINE, input: '{"parcel":"P-1"}' }));
    expect(started).toMatchObject({ status: 'SUCCEEDED', output: '{"quoted":true}' });
    const tested = await client(true).send(new TestStateCommand({ definition: PASS_STATE, roleArn: ROLE, input: '{}' }));
    expect(tested).toMatchObject({ status: 'SUCCEEDED', output: '{"quoted":true}' });
  });
});

/** What a client printed when it could not connect (the CLI exits 255 with the URL it tried). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return `${(error as { stderr?: string }).stderr ?? ''}${(error as Error).message}`;
  }
  throw new Error('expected the client to fail');
}

const BOTO3 = String.raw`
import json, sys
import boto3
from botocore.config import Config
endpoint, machine, role, state, inject = sys.argv[1:6]
client = boto3.client('stepfunctions', endpoint_url=endpoint, region_name='us-east-1', config=Config(inject_host_prefix=inject == 'inject', retries={'max_attempts': 1}))
result = {'sync': client.start_sync_execution(stateMachineArn=machine, input='{"parcel":"P-1"}')['status']}
# TestState came to boto3 in 1.33 (Nov 2023): older ones have no test_state.
if 'TestState' in client.meta.method_to_api_mapping.values():
    result['testState'] = client.test_state(definition=state, roleArn=role, input='{}')['status']
print(json.dumps(result))
`;

const boto3 = BOTO3_PYTHON !== undefined;
describe.skipIf(!boto3)(`boto3 (${PYTHON}${boto3 ? '' : ': boto3 not installed, skipped'})`, () => {
  const python = (inject: 'inject' | 'no-inject') => run(PYTHON, ['-c', BOTO3, emulator.endpoint, MACHINE, ROLE, PASS_STATE, inject], { env: clientEnv() });

  it('as it comes, cannot connect to sync-127.0.0.1', async () => {
    expect(await failure(python('inject'))).toMatch(/Could not connect to the endpoint URL: "http:\/\/sync-127\.0\.0\.1:\d+\/"/);
  });

  it('with Config(inject_host_prefix=False), runs StartSyncExecution (and TestState where boto3 has it)', async () => {
    const result = JSON.parse((await python('no-inject')).stdout) as { sync: string; testState?: string };
    expect(result.sync).toBe('SUCCEEDED');
    if (result.testState !== undefined) expect(result.testState).toBe('SUCCEEDED');
  });
});

/** Whether this AWS CLI knows `test-state` (added in Nov 2023; older CLIs answer "Invalid choice"). */
async function knowsTestState(bin: string): Promise<boolean> {
  return run(bin, ['stepfunctions', 'test-state', '--generate-cli-skeleton'], { env: clientEnv() }).then(() => true, () => false);
}

const cliV1 = existsSync(CLI_V1);
describe.skipIf(!cliV1)(`AWS CLI v1 (${CLI_V1}${cliV1 ? '' : ': not installed, skipped'})`, () => {
  const aws = (args: string[], env: Record<string, string> = {}) =>
    run(CLI_V1, ['stepfunctions', ...args, '--endpoint-url', emulator.endpoint, '--output', 'json'], { env: { ...clientEnv(), ...env } });

  it('as it comes, cannot connect to sync-127.0.0.1', async () => {
    expect(await failure(aws(['start-sync-execution', '--state-machine-arn', MACHINE]))).toMatch(/Could not connect to the endpoint URL: "http:\/\/sync-127\.0\.0\.1:\d+\/"/);
  });

  it('with AWS_DISABLE_HOST_PREFIX_INJECTION=true, runs start-sync-execution and test-state', async () => {
    const env = { AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' };
    const started = JSON.parse((await aws(['start-sync-execution', '--state-machine-arn', MACHINE, '--input', '{"parcel":"P-1"}'], env)).stdout) as { status: string; output: string };
    expect(started).toMatchObject({ status: 'SUCCEEDED', output: '{"quoted":true}' });
    if (await knowsTestState(CLI_V1)) {
      const tested = JSON.parse((await aws(['test-state', '--definition', PASS_STATE, '--role-arn', ROLE, '--input', '{}'], env)).stdout) as { status: string };
      expect(tested.status).toBe('SUCCEEDED');
    }
  });
});

/**
 * AWS CLI v2 (2.9 here) has no switch for the prefix: the endpoint is given by a name
 * whose `sync-` twin resolves to the emulator too (README: one /etc/hosts
 * line). Where the machine running the tests has no such line, the test gives
 * the CLI's process that resolution itself (a sitecustomize hook mapping
 * *.localhost to 127.0.0.1, as RFC 6761 and systemd-resolved do), and
 * nothing else changes: the CLI still sends its requests to the sync- name.
 */
async function resolvesToLoopback(name: string): Promise<boolean> {
  return lookup(name).then((address) => address.address === '127.0.0.1' || address.address === '::1', () => false);
}

const cliV2 = existsSync(CLI_V2);
describe.skipIf(!cliV2)(`AWS CLI v2 (${CLI_V2}${cliV2 ? '' : ': not installed, skipped'})`, () => {
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    env = clientEnv();
    if (!(await resolvesToLoopback(HOSTS_NAME)) || !(await resolvesToLoopback(`sync-${HOSTS_NAME}`))) {
      const hook = path.join(workspace.dir, 'resolve-localhost');
      mkdirSync(hook, { recursive: true });
      writeFileSync(
        path.join(hook, 'sitecustomize.py'),
        ['import socket', 'real = socket.getaddrinfo', "socket.getaddrinfo = lambda host, *rest, **named: real('127.0.0.1' if isinstance(host, str) and host.endswith('.localhost') else host, *rest, **named)", ''].join('\n'),
      );
      env.PYTHONPATH = hook;
    }
  });
  const aws = (endpoint: string, args: string[]) => run(CLI_V2, ['stepfunctions', ...args, '--endpoint-url', endpoint, '--output', 'json'], { env });

  it('as it comes, cannot connect to sync-127.0.0.1', async () => {
    expect(await failure(aws(emulator.endpoint, ['start-sync-execution', '--state-machine-arn', MACHINE]))).toMatch(/Could not connect to the endpoint URL: "http:\/\/sync-127\.0\.0\.1:\d+\/"/);
  });

  it(`with --endpoint-url http://${HOSTS_NAME}:PORT (and sync-${HOSTS_NAME} beside it in /etc/hosts), runs start-sync-execution`, async () => {
    const endpoint = `http://${HOSTS_NAME}:${port}`;
    const started = JSON.parse((await aws(endpoint, ['start-sync-execution', '--state-machine-arn', MACHINE, '--input', '{"parcel":"P-1"}'])).stdout) as { status: string; output: string };
    expect(started).toMatchObject({ status: 'SUCCEEDED', output: '{"quoted":true}' });
    if (await knowsTestState(CLI_V2)) {
      const tested = JSON.parse((await aws(endpoint, ['test-state', '--definition', PASS_STATE, '--role-arn', ROLE, '--input', '{}'])).stdout) as { status: string };
      expect(tested.status).toBe('SUCCEEDED');
    }
  });
});

describe('the README', () => {
  it('gives each of these workarounds, word for word', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The `sync-` host prefix'));
    for (const text of ['disableHostPrefix: true', 'Config(inject_host_prefix=False)', 'AWS_DISABLE_HOST_PREFIX_INJECTION=true', `127.0.0.1 ${HOSTS_NAME} sync-${HOSTS_NAME}`, `--endpoint-url http://${HOSTS_NAME}:8083`]) {
      expect(section).toContain(text);
    }
  });
});
