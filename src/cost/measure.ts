/** `--from-executions`: billable usage measured from the histories of recent executions on a target. */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { findStateMachineArn, listExecutions, readHistory } from '../aws/sfn.js';
import { childReferences, summarizeExecutions, type MeasuredChild, type MeasuredUsage } from './usage/measured.js';

const finished = (status: string | undefined) => status !== 'RUNNING' && status !== 'PENDING_REDRIVE';

/** Finished executions only: a running one has not used all its transitions yet. */
export async function measureMachine(sfn: SFNClient, machine: string, limit: number): Promise<MeasuredUsage | undefined> {
  const arn = await findStateMachineArn(sfn, machine);
  const executions = (await listExecutions(sfn, arn, { limit: limit * 2 })).filter((execution) => finished(execution.status)).slice(0, limit);
  const histories: Array<{ executionArn: string; events: HistoryEvent[] }> = [];
  for (const execution of executions) {
    // With execution data: the scheduled task's parameters name the Lambda function or Bedrock model.
    if (execution.executionArn) histories.push({ executionArn: execution.executionArn, events: await readHistory(sfn, execution.executionArn) });
  }
  const measured = summarizeExecutions(histories.map((history) => history.events));
  if (!measured) return undefined;
  const children = await measureChildren(sfn, histories.map((history) => history.events), limit);
  return { ...measured, histories, ...(children.length > 0 ? { children } : {}) };
}

/**
 * The child executions the measured runs started, read as executions of their own: a Distributed Map's children
 * through its Map Run (ListExecutions --map-run-arn, every child counted, up to `limit` histories read per state),
 * a startExecution child by the ARN its task returned. A child that cannot be read (an Express child on AWS keeps
 * no history) leaves that state to the static estimate.
 */
async function measureChildren(sfn: SFNClient, parents: ReadonlyArray<readonly HistoryEvent[]>, limit: number): Promise<MeasuredChild[]> {
  const byState = new Map<string, { kind: MeasuredChild['kind']; count: number; histories: HistoryEvent[][] }>();
  for (const events of parents) {
    for (const reference of childReferences(events)) {
      const entry = byState.get(reference.state) ?? { kind: reference.kind, count: 0, histories: [] };
      byState.set(reference.state, entry);
      try {
        const arns =
          reference.kind === 'mapRun'
            ? (await listExecutions(sfn, '', { mapRunArn: reference.arn, limit: 1_000_000 })).filter((child) => finished(child.status)).map((child) => child.executionArn)
            : [reference.arn];
        entry.count += arns.length;
        for (const arn of arns) if (arn && entry.histories.length < limit) entry.histories.push(await readHistory(sfn, arn));
      } catch {
        // Unreadable children: this state keeps its static estimate (no histories read for it).
      }
    }
  }
  const children: MeasuredChild[] = [];
  for (const [state, entry] of byState) {
    const usage = summarizeExecutions(entry.histories);
    if (usage) children.push({ state, kind: entry.kind, perExecution: entry.count / parents.length, usage });
  }
  return children;
}
