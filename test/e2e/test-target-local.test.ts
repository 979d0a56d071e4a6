/**
 * `deliv test --target local`: the template's own test file, end to end
 * through the emulator's API (deployed first, mocks as MockConfigFile test
 * cases, histories read back through the SDK), judged as in-process runs are.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const MACHINE = 'order-fulfillment';
let workspace: { dir: string; cleanup: () => void };
let project: string;
const deliv = (args: string[]) => runCli(args, { cwd: project });

beforeAll(async () => {
  workspace = tempDir();
  project = path.join(workspace.dir, 'shop');
  const init = await runCli(['init', project, '--yes', '--template', MACHINE], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  // Time scale 0: the template's Wait and retry backoffs cost nothing on the emulator either.
  const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
  expect(started.exitCode, started.stderr).toBe(0);
});

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

interface Report {
  target: string;
  passed: number;
  failed: number;
  skipped: number;
  files: { cases: { name: string; status: string; reason?: string; mismatches: { message: string }[] }[] }[];
  coverage: { metrics: Record<string, { covered: number; total: number }>; uncovered: { id: string }[] }[];
}

describe('deliv test --target local', () => {
  it('runs the template’s cases through the emulator, skipping only the one that needs real time', async () => {
    const result = await deliv(['test', '--target', 'local', '--coverage', '--json']);
    const report = JSON.parse(result.stdout) as Report;
    const cases = report.files[0].cases;
    expect(cases.filter((c) => c.status === 'failed').map((c) => [c.name, c.mismatches])).toEqual([]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(report.target).toBe('local');
    expect(report.skipped).toBe(1);
    expect(cases.find((c) => c.status === 'skipped')?.reason).toMatch(/AssignCourier's callback never answers/);
    expect(report.passed).toBe(cases.length - 1);
    // Coverage comes from the emulator's histories, as it does from in-process runs: all of it
    // but the timeout path, which only the skipped heartbeat case takes.
    expect(report.coverage[0].uncovered.map((item) => item.id)).toEqual([
      'catch:AssignCourier[0]',
      'edge:AssignCourier->NoCourierInTime',
      'state:NoCourierInTime',
      'edge:NoCourierInTime->RefundPayment',
    ]);
  });

  it('fails a case whose expectation the emulator’s run does not meet, with the divergence', async () => {
    const tests = path.join(project, 'tests', `${MACHINE}.test.yaml`);
    const original = readFileSync(tests, 'utf8');
    writeFileSync(tests, original.replace('path: [ValidateOrder, CheckStock, IsInStock, ChargeAndReserve', 'path: [ValidateOrder, IsInStock, ChargeAndReserve'));
    try {
      const result = await deliv(['test', '--target', 'local', '--case', 'happy path']);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain('✗ path: diverged after ValidateOrder: expected IsInStock, entered CheckStock');
    } finally {
      writeFileSync(tests, original);
    }
  });

  it('refuses an AWS target: tests run in-process or on the emulator', async () => {
    // The template's deliv.yaml has a `prod` target on AWS.
    const result = await deliv(['test', '--target', 'prod']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('deliv test runs through the local emulator, not `prod` (an AWS target)');
  });
});
