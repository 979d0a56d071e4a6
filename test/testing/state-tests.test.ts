import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { testProject } from '../../src/testing/index.js';
import { runTests } from '../../src/testing/runner.js';
import { TestFileError } from '../../src/testing/file.js';
import { SHOP, writeProject } from './project.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('deliv-state-tests-')));
afterAll(() => cleanup());

/** Each state of SHOP on its own, as AWS's TestState would run it. */
const STATE_TESTS = `
cases:
  - name: Pay passes the whole order to the function and keeps its Payload
    state: Pay
    input: { amount: 150 }
    mock: { return: { Payload: { amount: 150, paid: true } } }
    expect:
      status: SUCCEEDED
      nextState: IsBig
      output: { amount: 150, paid: true }
      inspection:
        afterParameters: { FunctionName: pay, Payload: { amount: 150 } }
  - name: a busy payment service is retried after 60 s on the second retry
    state: Pay
    mock: { throw: { error: Busy, cause: try later } }
    stateConfiguration: { retrierRetryCount: 1 }
    expect: { status: RETRIABLE, error: Busy, inspection: { retryIndex: 0, retryBackoffIntervalSeconds: 60 } }
  - name: a declined card goes to Refund with the error beside the order
    state: Pay
    input: { amount: 5 }
    mock: { throw: { error: Declined, cause: insufficient funds } }
    expect:
      status: CAUGHT_ERROR
      nextState: Refund
      output: { amount: 5, error: { Error: Declined, Cause: insufficient funds } }
      inspection: { catchIndex: 0 }
  - name: a big order is shipped
    state: IsBig
    input: { amount: 101 }
    expect: { status: SUCCEEDED, nextState: Ship }
  - name: an empty order is done at once
    state: IsBig
    input: { amount: 0 }
    expect: { nextState: Done }
  - name: the courier's answer is kept and assigned
    state: Ship
    input: { amount: 101 }
    mock: { return: { carrier: DHL } }
    expect:
      nextState: Done
      output: { amount: 101, shipment: { carrier: DHL } }
      inspection: { variables: { carrier: DHL } }
`;

describe('state tests (state: NAME) with TestState semantics', () => {
  it('runs each state alone: mocks, retries it would make, catchers, Choice branches, assignments', async () => {
    const project = writeProject(`${dir}/ok`, 'shop', SHOP, STATE_TESTS);
    const run = await runTests(project);
    expect(run.files[0].cases.map((c) => [c.name, c.status, c.mismatches])).toEqual([
      ['Pay passes the whole order to the function and keeps its Payload', 'passed', []],
      ['a busy payment service is retried after 60 s on the second retry', 'passed', []],
      ['a declined card goes to Refund with the error beside the order', 'passed', []],
      ['a big order is shipped', 'passed', []],
      ['an empty order is done at once', 'passed', []],
      ["the courier's answer is kept and assigned", 'passed', []],
    ]);
  });

  it('says where a state test went another way', async () => {
    const wrong = STATE_TESTS.replace('expect: { status: SUCCEEDED, nextState: Ship }', 'expect: { status: SUCCEEDED, nextState: Done }');
    const project = writeProject(`${dir}/wrong`, 'shop', SHOP, wrong);
    const run = await runTests(project, { caseFilter: 'big order' });
    expect(run.failed).toBe(1);
    expect(run.files[0].cases[0].mismatches).toEqual([{ field: 'nextState', message: 'goes to Ship, expected Done', expected: 'Done', actual: 'Ship' }]);
  });

  it('writes what a failing state test did with --update', async () => {
    const stale = STATE_TESTS.replace('expect: { nextState: Done }', 'expect: { nextState: Ship }');
    const project = writeProject(`${dir}/update`, 'shop', SHOP, stale);
    const outcome = await testProject(project, { caseFilter: 'empty order', update: true });
    expect(outcome.updates).toHaveLength(1);
    const written = readFileSync(`${dir}/update/tests/shop.test.yaml`, 'utf8');
    expect(written).toContain('expect: { nextState: Done, status: SUCCEEDED, output: { amount: 0 } }');
    const again = await runTests(project, { caseFilter: 'empty order' });
    expect(again.passed).toBe(1);
  });

  it('refuses path-test fields in a state test and an unknown state, at file:line:col', () => {
    const bad = `
cases:
  - name: mixed
    state: Pay
    states: { Pay: { mock: { return: 1 } } }
    expect: { path: [Pay] }
  - name: nowhere
    state: Shipp
    mock: { return: 1 }
  - name: TestState status in a path test
    expect: { status: RETRIABLE }
`;
    const project = writeProject(`${dir}/bad`, 'shop', SHOP, bad);
    let problems: string[] = [];
    return runTests(project).catch((error: TestFileError) => {
      problems = error.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
      expect(problems).toEqual([
        '5:5 `states` is for path tests; a state test (state: Pay) takes mock, stateConfiguration and variables',
        '6:15 a state test cannot expect `path` (it runs one state)',
        '11:15 RETRIABLE is a TestState status: only a state test (state: <name>) ends that way',
      ]);
    });
  });
});
