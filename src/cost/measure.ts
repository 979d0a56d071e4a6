/** `--from-executions`: billable usage measured from the histories of recent executions on a target. */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { findStateMachineArn, listExecutions, readHistory } from '../aws/sfn.js';
import { summarizeExecutions, type MeasuredUsage } from './usage/measured.js';

/** Finished executions only: a running one has not used all its transitions yet. */
export async function measureMachine(sfn: SFNClient, machine: string, limit: number): Promise<MeasuredUsage | undefined> {
  const arn = await findStateMachineArn(sfn, machine);
  const executions = (await listExecutions(sfn, arn, { limit: limit * 2 })).filter((execution) => execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE').slice(0, limit);
  const histories: Array<{ executionArn: string; events: HistoryEvent[] }> = [];
  for (const execution of executions) {
    // With execution data: the scheduled task's parameters name the Lambda function or Bedrock model.
    if (execution.executionArn) histories.push({ executionArn: execution.executionArn, events: await readHistory(sfn, execution.executionArn) });
  }
  const measured = summarizeExecutions(histories.map((history) => history.events));
  return measured && { ...measured, histories };
}
