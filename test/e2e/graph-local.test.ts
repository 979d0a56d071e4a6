/**
 * The "done when", as a user does it: a fresh project from the
 * biggest template, drawn in every format, then a failing order run on the
 * embedded emulator and `deliv graph --execution latest --format html`.
 */
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { parseXml } from '../helpers/xml.js';

const MACHINE = 'order-fulfillment';
let workspace: { dir: string; cleanup: () => void };
let project: string;
const deliv = (args: string[]) => runCli(args, { cwd: project });

beforeAll(async () => {
  workspace = tempDir('deliv-e2e-graph-local-');
  project = path.join(workspace.dir, 'shop');
  const init = await runCli(['init', project, '--yes', '--template', MACHINE], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // The handlers import @aws-sdk/client-sfn: `npm install` in a real project; deliv's own copy here, offline.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
});

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

describe('deliv graph in a fresh project', () => {
  it.each([
    ['ascii', /│ ChargePayment/],
    ['mermaid', /^flowchart TD\n/],
    ['dot', /^digraph "order-fulfillment" \{/],
    ['svg', /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/],
    ['html', /^<!doctype html>/],
  ])('draws the machine as %s', async (format, start) => {
    const result = await deliv(['graph', '--format', format]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(start);
    expect(result.stdout).toContain('AssignCourier');
    if (format === 'svg') parseXml(result.stdout);
  });
});

describe('deliv graph --execution latest on a failed local run', () => {
  beforeAll(async () => {
    const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
    expect(started.exitCode, started.stderr).toBe(0);
    const deployed = await deliv(['deploy']);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const failing = readdirSync(path.join(project, 'events', MACHINE)).find((file) => file.includes('card-declined'))!;
    const run = await deliv(['start', MACHINE, '--input', readFileSync(path.join(project, 'events', MACHINE, failing), 'utf8'), '--wait']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
  }, 60_000);

  it('shows where and why it failed in the HTML page', async () => {
    const out = path.join(project, 'latest.html');
    const result = await deliv(['graph', '--execution', 'latest', '--format', 'html', '--out', out]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('execution FAILED');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/data-state="ChargePayment" data-outcome="failed"/);
    expect(html).toMatch(/data-state="ChargeAndReserve" data-outcome="caught"/);
    expect(html).toMatch(/data-state="NotifyCustomer" data-outcome="not-reached"/);
    const data = JSON.parse(/<script type="application\/json" id="graph-data">(.*?)<\/script>/s.exec(html)![1]);
    expect(data.execution.status).toBe('FAILED');
    const failed = Object.values(data.states as Record<string, { name: string; explain?: string; run?: { error?: string; cause?: string } }>).find((state) => state.explain);
    expect(failed!.explain).toMatch(/^deliv explain arn:aws:states:us-east-1:123456789012:execution:order-fulfillment:/);
    const charge = Object.values(data.states as Record<string, { name: string; run?: { error?: string; cause?: string } }>).find((state) => state.name === 'ChargePayment')!;
    expect(charge.run!.error).toBe('PaymentDeclined');
    // The panel's trace is the handler's own source, as Lambda shows only the function's frames: no deliv, no absolute path.
    const { trace } = JSON.parse(charge.run!.cause!) as { trace: string[] };
    expect(trace[0]).toBe('PaymentDeclined: the card issuer declined the charge');
    expect(trace.slice(1).length).toBeGreaterThan(0);
    expect(trace[1]).toMatch(/^ {4}at handler \(functions\/charge-payment\.ts:\d+:\d+\)$/);
    expect(trace.join('\n')).not.toMatch(/lambda-worker|node:internal|dist\/local|\.deliv\/cache/);
    expect(html).not.toContain(workspace.dir);
  });
});
