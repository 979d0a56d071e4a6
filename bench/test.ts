/**
 * `deliv test` speed on the order-fulfillment template:
 *  - 1,000 cases with mocks (the template's whole-execution paths, repeated) run in-process
 *    by `deliv test`'s runner, median of 3 runs;
 *  - the same cases run one by one as a user would without it: `deliv start
 *    --wait` on the embedded emulator (time scale 0), each case's mocks given
 *    as a MockConfigFile test case. That side is slow, so a sample of SAMPLE
 *    cases (covering every path) is run and its median scaled to 1,000;
 *  - the CPU time (user + system, this process) of a 100-case suite, loading
 *    and compiling included, median of 5 runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadProject } from '../src/project/config.js';
import type { Callback, MockOutcome, TestCase } from '../src/testing/file.js';
import { runTests } from '../src/testing/runner.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'run.js');
const MACHINE = 'order-fulfillment';
const CASES = 1000;
const SAMPLE = 18;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function deliv(cwd: string, args: string[]): { status: number | null; stdout: string; ms: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, ms: performance.now() - start };
}

function suite(cases: TestCase[], count: number): TestCase[] {
  return Array.from({ length: count }, (_, i) => ({ ...cases[i % cases.length], name: `${cases[i % cases.length].name} #${i}` }));
}

/** A case's mocks as a Step Functions Local MockConfigFile test case (what the emulator reads). */
function mockTestCase(testCase: TestCase, responses: Record<string, Record<string, unknown>>): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const [state, behaviour] of Object.entries(testCase.states ?? {})) {
    const outcomes: (MockOutcome | Callback)[] = behaviour.callback !== undefined ? ([] as Callback[]).concat(behaviour.callback) : ([] as MockOutcome[]).concat(behaviour.mock ?? []);
    const entries: Record<string, unknown> = {};
    outcomes.forEach((outcome, attempt) => {
      if (outcome === 'none') entries[attempt] = { Throw: { Error: 'States.HeartbeatTimeout' } }; // a mock cannot stay silent
      else if ('throw' in outcome) entries[attempt] = { Throw: { Error: outcome.throw.error, Cause: outcome.throw.cause } };
      else if ('failure' in outcome && outcome.failure) entries[attempt] = { Throw: { Error: outcome.failure.error, Cause: outcome.failure.cause } };
      else if ('success' in outcome) entries[attempt] = { Return: outcome.success };
      else if ('return' in outcome) entries[attempt] = { Return: outcome.return };
    });
    const name = `${testCase.name}:${state}`.replace(/[^A-Za-z0-9]+/g, '-');
    responses[name] = entries;
    mapping[state] = name;
  }
  return mapping;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-test-'));
  const project = path.join(dir, 'shop');
  try {
    if (deliv(dir, ['init', project, '--yes', '--template', MACHINE]).status !== 0) throw new Error('init failed');
    symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const testFile = path.join(project, 'tests', `${MACHINE}.test.yaml`);
    // Whole-execution cases only: a `state:` case tests one state (TestState), which `deliv start` has no form of.
    const template = (parse(readFileSync(testFile, 'utf8'), { merge: true }) as { cases: TestCase[] }).cases.filter((testCase) => testCase.state === undefined);
    const loaded = loadProject(project);

    // ---- in-process: 1,000 cases, and 100 for CPU
    const fast: number[] = [];
    writeFileSync(testFile, stringify({ cases: suite(template, CASES) }, { aliasDuplicateObjects: false }));
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const result = await runTests(loaded);
      fast.push(performance.now() - start);
      if (result.passed !== CASES) throw new Error(`${result.failed} of ${CASES} cases failed`);
    }
    writeFileSync(testFile, stringify({ cases: suite(template, 100) }, { aliasDuplicateObjects: false }));
    const cpu: number[] = [];
    for (let run = 0; run < 5; run++) {
      const before = process.cpuUsage();
      const result = await runTests(loaded);
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
      if (result.passed !== 100) throw new Error('100-case suite failed');
    }
    const cli = deliv(project, ['test']);
    if (cli.status !== 0) throw new Error(`deliv test exited ${cli.status}`);

    // ---- one by one through the emulator: deliv start --wait per case
    const responses: Record<string, Record<string, unknown>> = {};
    const testCases: Record<string, Record<string, string>> = {};
    const sample = suite(template, SAMPLE);
    for (const testCase of sample) testCases[testCase.name.replace(/[^A-Za-z0-9]+/g, '-')] = mockTestCase(testCase, responses);
    writeFileSync(path.join(project, 'mocks', 'MockConfigFile.json'), JSON.stringify({ StateMachines: { [MACHINE]: { TestCases: testCases } }, MockedResponses: responses }, null, 2));
    if (deliv(project, ['local', 'start', '--port', '0', '--detach', '--time-scale', '0']).status !== 0) throw new Error('emulator did not start');
    const slow: number[] = [];
    try {
      if (deliv(project, ['deploy']).status !== 0) throw new Error('deploy failed');
      for (const testCase of sample) {
        const input = testCase.inputFile ?? JSON.stringify(testCase.input ?? {});
        const run = deliv(project, ['start', MACHINE, '--input', input, '--test-case', testCase.name.replace(/[^A-Za-z0-9]+/g, '-'), '--wait']);
        const expected = testCase.expect?.status === 'SUCCEEDED' ? 0 : 1;
        if (run.status !== expected) throw new Error(`${testCase.name}: deliv start exited ${run.status}, expected ${expected}\n${run.stdout}`);
        slow.push(run.ms);
      }
    } finally {
      deliv(project, ['local', 'stop']);
    }

    const fastMs = median(fast);
    const slowScaled = median(slow) * CASES;
    const fmt = (n: number, digits = 0) => n.toFixed(digits);
    console.log(`order-fulfillment, ${CASES.toLocaleString('en-US')} cases (the template's ${template.length} paths repeated), every Task mocked`);
    console.log(`  deliv test runner, in-process, cases concurrent   ${fmt(fastMs)} ms   (${fmt((fastMs / CASES) * 1000, 0)} µs a case; median of 3)`);
    console.log(`  deliv start --wait on the emulator, one by one    ${fmt(median(slow))} ms a case (median of ${SAMPLE} sampled), ×${CASES} ≈ ${fmt(slowScaled / 1000, 1)} s`);
    console.log(`  ratio                                             ${fmt(slowScaled / fastMs, 0)}×   target ≥ 50×: ${slowScaled / fastMs >= 50 ? 'met' : 'NOT met'}`);
    console.log(`100-case suite, CPU (user + system) of the runner, files loaded and compiled: ${fmt(median(cpu))} ms (median of 5)   target < 1000 ms: ${median(cpu) < 1000 ? 'met' : 'NOT met'}`);
    console.log(`100-case suite, \`deliv test\` as a process, wall time (CLI start-up included): ${fmt(cli.ms)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
