import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const TEMPLATES = ['order-fulfillment', 'parcel-routing', 'courier-dispatch', 'support-triage'];

let root: string;
let cleanup: () => void;
beforeAll(() => ({ dir: root, cleanup } = tempDir('deliv-e2e-test-')));
afterAll(() => cleanup());

interface Report {
  ok: boolean;
  passed: number;
  failed: number;
  coverage: { machine: string; metrics: Record<string, { percent: number }>; uncovered: unknown[] }[];
}

describe.each(TEMPLATES)('a fresh %s project', (template) => {
  it('passes deliv test --coverage at 100 % of states and branches', async () => {
    const init = await runCli(['init', template, '--yes', '--template', template], { cwd: root });
    expect(init.exitCode).toBe(0);
    const cwd = path.join(root, template);
    const result = await runCli(['test', '--coverage', '--json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(5);
    const [coverage] = report.coverage;
    expect(coverage.machine).toBe(template);
    for (const metric of ['states', 'transitions', 'branches', 'catches', 'retries']) expect(coverage.metrics[metric].percent, metric).toBe(100);
  });
});

describe('deliv test on a broken definition and a broken test file', () => {
  it('shows the first divergence of a definition that takes the wrong branch (exit 1)', async () => {
    const cwd = path.join(root, 'order-fulfillment');
    const definition = path.join(cwd, 'statemachines', 'order-fulfillment.asl.yaml');
    const original = readFileSync(definition, 'utf8');
    // The deliberate bug: in-stock orders are sent to OutOfStock.
    writeFileSync(definition, original.replace('        Next: ChargeAndReserve\n    Default: OutOfStock', '        Next: OutOfStock\n    Default: ChargeAndReserve'));
    try {
      const result = await runCli(['test', '--case', 'happy path'], { cwd });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain('✗ happy path');
      expect(result.stdout).toContain('✗ path: diverged after IsInStock: expected ChargeAndReserve, entered OutOfStock');
      expect(result.stdout).toContain('expected path: ValidateOrder → CheckStock → IsInStock → ChargeAndReserve');
      expect(result.stdout).toContain('actual path:   ValidateOrder → CheckStock → IsInStock → OutOfStock');
      expect(result.stdout).toContain('the event before: #13 ChoiceStateExited');
      expect(result.stdout).toContain('0 passed, 1 failed');
      const junit = await runCli(['test', '--reporter', 'junit'], { cwd });
      expect(junit.exitCode).toBe(1);
      expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="deliv test" tests="11" failures="\d+"/);
      expect(junit.stdout).toContain('<failure message="diverged after IsInStock: expected ChargeAndReserve, entered OutOfStock" type="path">');
    } finally {
      writeFileSync(definition, original);
    }
  });

  it('rejects a test file that does not fit the schema with file:line:col (exit 2)', async () => {
    const cwd = path.join(root, 'courier-dispatch');
    const file = path.join(cwd, 'tests', 'courier-dispatch.test.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('      status: FAILED\n      error: NoCourierAvailable', '      status: FAIL\n      error: NoCourierAvailable'));
    try {
      const result = await runCli(['test'], { cwd });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/tests\/courier-dispatch\.test\.yaml:\d+:7: error: \/cases\/4\/expect\/status must be equal to one of the allowed values/);
      expect(result.stderr).toContain('Error: 1 problem in the test files');
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('deliv graph --coverage on a scaffolded project', () => {
  it('draws the gaps a test file leaves, dashed, and says what they are', async () => {
    const cwd = path.join(root, 'order-fulfillment');
    const tests = path.join(cwd, 'tests', 'order-fulfillment.test.yaml');
    const original = readFileSync(tests, 'utf8');
    try {
      const whole = await runCli(['graph', 'order-fulfillment', '--coverage', '--format', 'svg', '--out', 'coverage.svg'], { cwd });
      expect(whole.exitCode, whole.stderr).toBe(0);
      expect(readFileSync(path.join(cwd, 'coverage.svg'), 'utf8')).toContain('everything is covered');
      // Keep only the happy path: the compensation states are no longer reached.
      writeFileSync(tests, original.slice(0, original.indexOf('\n  - name:', original.indexOf('- name: happy path') + 10)) + '\n');
      const partial = await runCli(['graph', 'order-fulfillment', '--coverage', '--json'], { cwd });
      expect(partial.exitCode, partial.stderr).toBe(0);
      const result = JSON.parse(partial.stdout) as { coverage: { uncovered: { label: string }[] }; graph: { edges: { uncovered?: boolean }[] } };
      expect(result.coverage.uncovered.map((item) => item.label)).toContain('RejectOrder');
      expect(result.graph.edges.some((edge) => edge.uncovered)).toBe(true);
      expect(result.coverage.uncovered.length).toBeGreaterThan(5);
    } finally {
      writeFileSync(tests, original);
    }
  });
});
