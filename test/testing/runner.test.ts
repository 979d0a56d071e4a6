import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { testProject } from '../../src/testing/index.js';
import { runTests } from '../../src/testing/runner.js';
import { SHOP, writeProject } from './project.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('deliv-testing-')));
afterAll(() => cleanup());

const TESTS = `
cases:
  - name: a big order is shipped
    input: { amount: 150 }
    states:
      Pay: { mock: { return: { Payload: { amount: 150 } } } }
      Ship: { callback: { heartbeats: 3, success: { carrier: DHL } } }
    expect:
      status: SUCCEEDED
      path: [Pay, IsBig, Ship, Done]
      output: { amount: 150, shipment: { carrier: DHL } }
      variables: { carrier: DHL }
      transitions: 4
  - name: busy twice, then paid
    input: { amount: 5 }
    states:
      Pay:
        mock:
          - throw: { error: Busy }
          - throw: { error: Busy }
          - return: { Payload: { amount: 5 } }
    expect: { status: SUCCEEDED, retries: { Pay: 2 }, path: [Pay, IsBig, Done] }
  - name: declined card is refunded
    input: { amount: 5 }
    states:
      Pay: { mock: { throw: { error: Declined, cause: insufficient funds } } }
    expect: { status: FAILED, error: PaymentFailed, causeMatches: "^the payment", visits: [Refund], neverVisits: [IsBig] }
  - name: a shipment nobody confirms times out on its heartbeat
    input: { amount: 500 }
    states:
      Pay: { mock: { return: { Payload: { amount: 500 } } } }
      Ship: { callback: none }
    expect: { status: FAILED, error: States.HeartbeatTimeout }
`;

describe('runTests', () => {
  it('runs every case on the engine with mocks per attempt, callbacks and a virtual clock', async () => {
    const project = writeProject(`${dir}/ok`, 'shop', SHOP, TESTS);
    const run = await runTests(project);
    const cases = run.files[0].cases;
    expect(cases.map((c) => [c.name, c.status, c.mismatches])).toEqual([
      ['a big order is shipped', 'passed', []],
      ['busy twice, then paid', 'passed', []],
      ['declined card is refunded', 'passed', []],
      ['a shipment nobody confirms times out on its heartbeat', 'passed', []],
    ]);
    // Two retries of 30 s and 60 s, and a 60 s heartbeat, cost no real time.
    expect(run.durationMs).toBeLessThan(5_000);
  });

  it('shows where a path diverged, the event there, and what differs', async () => {
    const project = writeProject(`${dir}/diverge`, 'shop', SHOP, `
cases:
  - name: expects shipping, but the card is declined
    input: { amount: 150 }
    states:
      Pay: { mock: { throw: { error: Declined, cause: no money } } }
    expect:
      status: SUCCEEDED
      path: [Pay, IsBig, Ship, Done]
      outputMatches: { amount: 150 }
`);
    const [result] = (await runTests(project)).files[0].cases;
    expect(result.status).toBe('failed');
    const [path, status, output] = result.mismatches;
    expect(path.field).toBe('path');
    expect(path.message).toBe('diverged after Pay: expected IsBig, entered Refund');
    expect(path.divergence).toMatchObject({ index: 1, expected: 'IsBig', actual: 'Refund' });
    expect(path.divergence?.event).toMatch(/TaskStateExited|TaskFailed/);
    expect(status).toMatchObject({ field: 'status', expected: 'SUCCEEDED', actual: 'FAILED' });
    expect(output.field).toBe('outputMatches');
    expect(result.actual?.path).toEqual(['Pay', 'Refund', 'Failed']);
  });

  it('fails a task the case does not mock, saying how to mock it', async () => {
    const project = writeProject(`${dir}/unmocked`, 'shop', SHOP, `
cases:
  - name: nothing mocked
    input: {}
    expect: { status: FAILED, error: States.TaskFailed, causeMatches: "add states.Pay.mock" }
`);
    const [result] = (await runTests(project)).files[0].cases;
    expect(result.mismatches).toEqual([]);
  });

  it('runs only the cases asked for, and stops at the first failure with bail', async () => {
    const project = writeProject(`${dir}/filter`, 'shop', SHOP, TESTS.replace('retries: { Pay: 2 }', 'retries: { Pay: 1 }'));
    const filtered = await runTests(project, { caseFilter: 'DECLINED' });
    expect(filtered.files[0].cases.map((c) => c.name)).toEqual(['declined card is refunded']);
    const bailed = await runTests(project, { bail: true, concurrency: 1 });
    expect(bailed.files[0].cases.map((c) => c.status)).toEqual(['passed', 'failed']);
  });
});

describe('testProject coverage', () => {
  it('counts states, transitions, Choice rules, Catch and Retry, and names what is not covered', async () => {
    const project = writeProject(`${dir}/coverage`, 'shop', SHOP, TESTS);
    const { report, exitCode } = await testProject(project, { coverage: true });
    expect(exitCode).toBe(0);
    const [coverage] = report.coverage ?? [];
    expect(coverage.metrics.states).toEqual({ covered: 6, total: 6, percent: 100 });
    expect(coverage.metrics.catches).toEqual({ covered: 1, total: 1, percent: 100 });
    expect(coverage.metrics.retries).toEqual({ covered: 1, total: 1, percent: 100 });
    // Rule 2 (amount = 0 → Done) shares its target with the Default: the rules are evaluated to tell them apart.
    expect(coverage.uncovered.map((item) => item.id)).toEqual(['choice:IsBig[1]']);
    expect(coverage.metrics.branches).toEqual({ covered: 2, total: 3, percent: 66.6 });
  });

  it('fails the run below the threshold of deliv.yaml', async () => {
    const project = writeProject(`${dir}/threshold`, 'shop', SHOP, TESTS, { test: { coverage: { branches: 100 } } });
    const { report, exitCode } = await testProject(project);
    expect(exitCode).toBe(1);
    expect(report.threshold).toEqual([{ machine: 'shop', metric: 'branches', percent: 66.6, required: 100 }]);
    expect(report.failed).toBe(0);
  });
});
