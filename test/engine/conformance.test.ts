/**
 * Every AWS-recorded case in ../shared/conformance runs through the engine on
 * a virtual clock and must give what AWS gave.
 */
import { describe, expect, it } from 'vitest';
import { compile, TaskFailure, virtualClock } from '../../src/engine/index.js';
import { conformanceMismatches, HAS_CONFORMANCE, loadConformanceCases } from '../helpers/conformance.js';

/** Cases that cannot pass here, each with the reason. */
const SKIPPED: Record<string, string> = {};

const cases = loadConformanceCases();

describe.skipIf(!HAS_CONFORMANCE || cases.length === 0)('conformance with AWS-recorded executions', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, testCase) => {
    if (SKIPPED[id]) return;
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
