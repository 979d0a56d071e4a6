/**
 * Reading executions and their histories through the SFN API: the one place
 * that pages through ListStateMachines, ListExecutions and GetExecutionHistory,
 * for local and AWS targets alike (logs, explain, graph and cost all read here).
 */
import type { ExecutionListItem, HistoryEvent, SFNClient, StateMachineListItem } from '@aws-sdk/client-sfn';
import { DelivError } from '../ui/errors.js';

export async function readHistory(
  sfn: SFNClient,
  executionArn: string,
  options: { includeExecutionData?: boolean } = {},
): Promise<HistoryEvent[]> {
  const { GetExecutionHistoryCommand } = await import('@aws-sdk/client-sfn');
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        nextToken,
        includeExecutionData: options.includeExecutionData ?? true,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export async function listStateMachines(sfn: SFNClient): Promise<StateMachineListItem[]> {
  const { ListStateMachinesCommand } = await import('@aws-sdk/client-sfn');
  const machines: StateMachineListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    machines.push(...(page.stateMachines ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return machines;
}

/** The ARN of the deployed state machine called `name` (deliv deploys each machine under its deliv.yaml key). */
export async function findStateMachineArn(sfn: SFNClient, name: string): Promise<string> {
  if (name.startsWith('arn:')) return name;
  const match = (await listStateMachines(sfn)).find((machine) => machine.name === name);
  if (!match?.stateMachineArn) {
    throw new DelivError(`state machine \`${name}\` is not deployed on this target`, {
      hint: `run \`deliv deploy ${name}\` first`,
    });
  }
  return match.stateMachineArn;
}

/** Executions of a machine, newest first, at most `limit`, optionally of one status. */
export async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  options: { statusFilter?: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE'; limit?: number } = {},
): Promise<ExecutionListItem[]> {
  const { ListExecutionsCommand } = await import('@aws-sdk/client-sfn');
  const limit = options.limit ?? 100;
  const executions: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        statusFilter: options.statusFilter,
        maxResults: Math.min(1000, limit - executions.length),
        nextToken,
      }),
    );
    executions.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken && executions.length < limit);
  return executions.slice(0, limit);
}

export interface ExecutionMachine {
  stateMachineArn?: string;
  name?: string;
  /** The definition the execution ran with (its version, not today's). */
  definition?: string;
  type?: 'STANDARD' | 'EXPRESS';
}

/** The state machine an execution ran, with the definition it ran (DescribeStateMachineForExecution) and its type. */
export async function describeExecutionMachine(sfn: SFNClient, executionArn: string): Promise<ExecutionMachine> {
  const { DescribeStateMachineForExecutionCommand, DescribeStateMachineCommand } = await import('@aws-sdk/client-sfn');
  const machine = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
  let type: ExecutionMachine['type'];
  if (machine.stateMachineArn) {
    // The type is only on DescribeStateMachine; a missing permission must not hide the rest.
    type = await sfn
      .send(new DescribeStateMachineCommand({ stateMachineArn: machine.stateMachineArn }))
      .then((described) => described.type as ExecutionMachine['type'])
      .catch(() => undefined);
  }
  return { stateMachineArn: machine.stateMachineArn, name: machine.name, definition: machine.definition, type };
}

/** The newest execution of any of these machines with one of these statuses (by stop, else start, time). */
export async function latestExecution(
  sfn: SFNClient,
  stateMachineArns: readonly string[],
  statuses: ReadonlyArray<'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'SUCCEEDED' | 'RUNNING'>,
): Promise<ExecutionListItem | undefined> {
  const found = await Promise.all(
    stateMachineArns.flatMap((stateMachineArn) => statuses.map((statusFilter) => listExecutions(sfn, stateMachineArn, { statusFilter, limit: 1 }))),
  );
  const when = (item: ExecutionListItem) => (item.stopDate ?? item.startDate)?.getTime() ?? 0;
  return found.flat().sort((a, b) => when(b) - when(a))[0];
}
