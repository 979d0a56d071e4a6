/**
 * Every AWS-recorded case in test/conformance/cases runs through the engine on
 * a virtual clock and must give what AWS gave.
 */
import { describe, expect, it } from 'vitest';
import { compile, TaskFailure, virtualClock } from '../../src/engine/index.js';
import { CONFORMANCE_SUITE, conformanceMismatches, loadConformanceCases } from '../helpers/conformance.js';

/** Cases that cannot pass yet, each with the reason: they show as skipped in the count, never as passed. */
const KNOWN_FAILING: Record<string, string> = {};

const cases = loadConformanceCases();

describe(`${CONFORMANCE_SUITE} through the engine`, () => {
  for (const [id, reason] of Object.entries(KNOWN_FAILING)) it.skip(`${id}: ${reason}`, () => {});
  it.each(cases.filter((c) => !(c.id in KNOWN_FAILING)).map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    const compiled = compile(testCase.definition);
    if (!compiled.ok) throw new Error(`compile problems: ${JSON.stringify(compiled.problems)}`);
    const result = await compiled.machine.start({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:conformance:run-1',
      name: 'run-1',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:conformance',
      stateMachineName: 'conformance',
      roleArn: 'arn:aws:iam::123456789012:role/conformance',
      input: testCase.input,
      clock: virtualClock({ start: Date.now() }),
      runner: {
        run: () => Promise.reject(new TaskFailure('States.TaskFailed', 'conformance cases use no task resources')),
      },
    }).result;
    expect(conformanceMismatches(testCase, result)).toEqual([]);
  });
});
