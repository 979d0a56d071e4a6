/** `--from-executions`: billable usage measured from the histories of recent executions on a target. */
import type { ExecutionListItem, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { isExpressExecutionArn } from '../aws/arn.js';
import { findStateMachineArn, listExecutions, mapRunChildCount, readHistory } from '../aws/sfn.js';
import { childReferences, machineOfExecution, summarizeExecutions, type ChildReference, type MeasuredChild, type MeasuredUsage } from './usage/measured.js';

const finished = (status: string | undefined) => status !== 'RUNNING' && status !== 'PENDING_REDRIVE';

/**
 * How many generations of child executions are read below a measured run (children, grandchildren, theirs).
 * Each generation reads up to `limit` histories per state that starts children; past this depth the static
 * model stands, as for every level the estimate prices (MAX_NESTING in estimate.ts is 5).
 */
export const MEASURED_CHILD_DEPTH = 3;

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
  const children = await measureChildren(sfn, histories.map((history) => history.events), limit, 1);
  return { ...measured, histories, ...(children.length > 0 ? { children } : {}) };
}

interface ChildTally {
  kind: MeasuredChild['kind'];
  /** A startExecution child's machine (the first one seen) and type. */
  machine?: string;
  express?: boolean;
  count: number;
  /** Set when one reference could not be counted: the count is then unknown. */
  uncounted?: string;
  histories: HistoryEvent[][];
  unread?: string;
  listedDurations: number[];
}

/**
 * The child executions the measured runs started, read as executions of their own: a Distributed Map's children
 * through its Map Run (DescribeMapRun counts every child, Express ones too; ListExecutions --map-run-arn names
 * them; up to `limit` histories read per state), a startExecution child by the ARN its task returned. Their own
 * children are read the same way, down to MEASURED_CHILD_DEPTH generations.
 */
async function measureChildren(sfn: SFNClient, parents: ReadonlyArray<readonly HistoryEvent[]>, limit: number, depth: number): Promise<MeasuredChild[]> {
  const byState = new Map<string, ChildTally>();
  for (const events of parents) {
    for (const reference of childReferences(events)) {
      const key = `${reference.kind}:${reference.state}`;
      const started = reference.kind === 'execution' ? { machine: machineOfExecution(reference.arn), express: isExpressExecutionArn(reference.arn) } : {};
      const entry = byState.get(key) ?? { kind: reference.kind, count: 0, histories: [], listedDurations: [], ...started };
      byState.set(key, entry);
      await tallyChildren(sfn, reference, entry, limit);
    }
  }
  const children: MeasuredChild[] = [];
  for (const [key, entry] of byState) {
    const state = key.slice(key.indexOf(':') + 1);
    const usage = summarizeExecutions(entry.histories);
    const deeper = usage && depth < MEASURED_CHILD_DEPTH ? await measureChildren(sfn, entry.histories, limit, depth + 1) : [];
    // At the bound their own children are not looked for: the estimate says so rather than finding "no Map Run".
    const bounded = usage && depth >= MEASURED_CHILD_DEPTH && entry.histories.some((events) => childReferences(events).length > 0) ? { childrenUnread: `deeper than the ${MEASURED_CHILD_DEPTH} generations of child executions --from-executions reads` } : {};
    children.push({
      state,
      kind: entry.kind,
      ...(entry.uncounted === undefined ? { perExecution: entry.count / parents.length } : {}),
      ...(usage ? { usage: { ...usage, ...(deeper.length > 0 ? { children: deeper } : {}), ...bounded } } : {}),
      ...(usage ? {} : { unread: entry.uncounted ?? entry.unread ?? 'no finished child execution to read' }),
      ...(!usage && entry.listedDurations.length > 0 ? { listedDurations: entry.listedDurations } : {}),
      ...(entry.machine ? { machine: entry.machine, express: entry.express } : {}),
    });
  }
  return children;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

async function tallyChildren(sfn: SFNClient, reference: ChildReference, entry: ChildTally, limit: number): Promise<void> {
  let listed: ExecutionListItem[];
  if (reference.kind === 'mapRun') {
    try {
      entry.count += await mapRunChildCount(sfn, reference.arn);
      listed = (await listExecutions(sfn, '', { mapRunArn: reference.arn, limit: 1_000_000 })).filter((child) => finished(child.status));
    } catch (error) {
      entry.uncounted ??= `its Map Run could not be read (${message(error)})`;
      return;
    }
  } else {
    entry.count += 1;
    listed = [{ executionArn: reference.arn } as ExecutionListItem];
  }
  for (const child of listed) {
    if (!child.executionArn) continue;
    if (isExpressExecutionArn(child.executionArn)) {
      // AWS: "This API action is not supported by EXPRESS state machines" (GetExecutionHistory).
      entry.unread ??= 'Express executions keep no history that GetExecutionHistory reads';
      if (child.startDate && child.stopDate) entry.listedDurations.push(child.stopDate.getTime() - child.startDate.getTime());
      continue;
    }
    if (entry.histories.length >= limit) continue;
    try {
      entry.histories.push(await readHistory(sfn, child.executionArn));
    } catch (error) {
      entry.unread ??= `GetExecutionHistory failed: ${message(error)}`;
    }
  }
  if (reference.kind === 'mapRun' && listed.length === 0 && entry.count > 0) entry.unread ??= 'ListExecutions --map-run-arn listed none of them';
}
