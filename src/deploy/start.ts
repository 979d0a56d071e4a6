/**
 * Starting executions: StartExecution for Standard machines, StartSyncExecution
 * for Express ones (which answer when the execution is over).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { findStateMachineArn, type DeclaredMachines } from '../aws/sfn.js';
import { statesOf } from '../asl/graph.js';
import { UsageError, type ErrorCode } from '../ui/errors.js';

export interface StartRequest {
  /** deliv.yaml name (the deployed name) or a state machine ARN. */
  machine: string;
  input: string;
  name?: string;
  alias?: string;
  /** Mock test case (local emulator): sent as `#TestCase` on the ARN, as Step Functions Local expects. */
  testCase?: string;
  /** The project's machines: a name in none of them is a typo (exit 2), not a missing deploy. */
  declared?: DeclaredMachines;
}

export interface StartedExecution {
  executionArn: string;
  stateMachineArn: string;
  type: 'STANDARD' | 'EXPRESS';
  startDate?: Date;
  /** Every state of the machine's definition, nested ones too (what its history may name). */
  stateNames: string[];
  /** Express machines only: they run to the end before the call returns. */
  sync?: { status: string; output?: string; error?: string; cause?: string; stopDate?: Date };
}

export async function startExecution(sfn: SFNClient, request: StartRequest): Promise<StartedExecution> {
  const sdk = await import('@aws-sdk/client-sfn');
  const machineArn = await findStateMachineArn(sfn, request.machine, request.declared);
  const described = await sfn.send(new sdk.DescribeStateMachineCommand({ stateMachineArn: machineArn }));
  const type = described.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const qualified = `${machineArn}${request.alias ? `:${request.alias}` : ''}${request.testCase ? `#${request.testCase}` : ''}`;
  const input = { stateMachineArn: qualified, input: request.input, name: request.name };
  try {
    return { ...(await send(sfn, sdk, type, machineArn, input)), stateNames: stateNamesOf(described.definition) };
  } catch (error) {
    // What Step Functions refuses in the request itself (a mock test case, an execution name, the input) is the user's to fix.
    const name = (error as { name?: string }).name ?? '';
    if (name in BAD_REQUEST) throw new UsageError((error as Error).message, { hint: HINTS[name], cause: error, code: BAD_REQUEST[name] });
    throw error;
  }
}

function stateNamesOf(definition: string | undefined): string[] {
  try {
    return statesOf(JSON.parse(definition ?? '{}')).map((state) => state.name);
  } catch {
    return [];
  }
}

/** What Step Functions refuses in a start request, and its stable --json code. */
const BAD_REQUEST: Record<string, ErrorCode> = {
  ValidationException: 'USAGE',
  InvalidName: 'USAGE',
  InvalidExecutionInput: 'INVALID_INPUT',
  ExecutionAlreadyExists: 'EXECUTION_ALREADY_EXISTS',
};
const HINTS: Record<string, string> = {
  ValidationException: 'check --test-case against the MockConfigFile, and --alias against the deployed aliases',
  InvalidName: 'an execution name is 1-80 letters, digits, - and _',
  InvalidExecutionInput: 'the input must be one JSON value of at most 256 KiB',
  ExecutionAlreadyExists: 'pick another --name, or leave it out for a generated one',
};

async function send(
  sfn: SFNClient,
  sdk: typeof import('@aws-sdk/client-sfn'),
  type: 'STANDARD' | 'EXPRESS',
  machineArn: string,
  input: { stateMachineArn: string; input: string; name?: string },
): Promise<Omit<StartedExecution, 'stateNames'>> {
  if (type === 'EXPRESS') {
    const result = await sfn.send(new sdk.StartSyncExecutionCommand(input));
    return {
      executionArn: result.executionArn!,
      stateMachineArn: machineArn,
      type,
      startDate: result.startDate,
      sync: { status: result.status ?? 'FAILED', output: result.output, error: result.error, cause: result.cause, stopDate: result.stopDate },
    };
  }
  const started = await sfn.send(new sdk.StartExecutionCommand(input));
  return { executionArn: started.executionArn!, stateMachineArn: machineArn, type, startDate: started.startDate };
}
