/**
 * The AWS-recorded conformance cases through the emulator's HTTP API: create
 * the machine, StartExecution, DescribeExecution, as a user's SDK would. A
 * case must give what AWS gave; where the engine itself does not yet (its own
 * suite reports that), the HTTP result must at least equal the engine's direct
 * result, so that the API layer adds no difference of its own.
 */
import { CreateStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/asl/types.js';
import { compile, TaskFailure, virtualClock } from '../../src/engine/index.js';
import { CONFORMANCE_SUITE, conformanceMismatches, loadConformanceCases, type ConformanceCase } from '../helpers/conformance.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

const cases = loadConformanceCases();
let t: TestEmulator;

beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t?.close());

async function direct(testCase: ConformanceCase) {
  const compiled = compile(testCase.definition);
  if (!compiled.ok) return { status: 'INVALID', error: JSON.stringify(compiled.problems) };
  return compiled.machine.start({
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:conformance:run-1',
    name: 'run-1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:conformance',
    stateMachineName: 'conformance',
    roleArn: ROLE,
    input: testCase.input,
    clock: virtualClock({ start: Date.now() }),
    runner: { run: () => Promise.reject(new TaskFailure('States.TaskFailed', 'conformance cases use no task resources')) },
  }).result;
}

describe(`${CONFORMANCE_SUITE} through the HTTP API`, () => {
  it.each(cases.map((c, index) => [c.id, c, index] as const))('%s', async (_id, testCase, index) => {
    const { stateMachineArn } = await t.sfn.send(
      new CreateStateMachineCommand({ name: `conformance-${index}`, definition: JSON.stringify(testCase.definition), roleArn: ROLE }),
    );
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(testCase.input) }));
    const described = await finished(t.sfn, executionArn!);
    const observed = {
      status: described.status!,
      output: described.output === undefined ? undefined : (JSON.parse(described.output) as JsonValue),
      error: described.error,
      cause: described.cause,
    };
    const mismatches = conformanceMismatches(testCase, observed);
    if (mismatches.length === 0) return;
    // Not AWS's result: acceptable only if the engine on its own gives exactly this too.
    const engine = (await direct(testCase)) as { status: string; output?: JsonValue; error?: string; cause?: string };
    expect(conformanceMismatches(testCase, engine), `the engine alone conforms, so the HTTP layer changed the result: ${mismatches.join('; ')}`).not.toEqual([]);
    expect(observed).toEqual({ status: engine.status, output: engine.output, error: engine.error, cause: engine.cause });
  });
});
