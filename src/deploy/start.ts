/**
 * Starting executions: StartExecution for Standard machines, StartSyncExecution
 * for Express ones (which answer when the execution is over).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { findStateMachineArn } from '../aws/sfn.js';

export interface StartRequest {
  /** deliv.yaml name (the deployed name) or a state machine ARN. */
  machine: string;
  input: string;
  name?: string;
  alias?: string;
  /** Mock test case (local emulator): sent as `#TestCase` on the ARN, as Step Functions Local expects. */
  testCase?: string;
}

export interface StartedExecution {
  executionArn: string;
  stateMachineArn: string;
  type: 'STANDARD' | 'EXPRESS';
  startDate?: Date;
  /** Express machines only: they run to the end before the call returns. */
  sync?: { status: string; output?: string; error?: string; cause?: string; stopDate?: Date };
}

export async function startExecution(sfn: SFNClient, request: StartRequest): Promise<StartedExecution> {
  const sdk = await import('@aws-sdk/client-sfn');
  const machineArn = await findStateMachineArn(sfn, request.machine);
  const described = await sfn.send(new sdk.DescribeStateMachineCommand({ stateMachineArn: machineArn }));
  const type = described.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const qualified = `${machineArn}${request.alias ? `:${request.alias}` : ''}${request.testCase ? `#${request.testCase}` : ''}`;
  const input = { stateMachineArn: qualified, input: request.input, name: request.name };
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
