/**
 * Step Functions through the SDK: connecting to a target, and the one place
 * that pages through ListStateMachines, ListExecutions and GetExecutionHistory
 * and tails running executions, for local and AWS targets alike (deploy, start,
 * logs, explain, graph and cost all read here).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ExecutionListItem, HistoryEvent, SFNClient, StateMachineListItem } from '@aws-sdk/client-sfn';
import path from 'node:path';
import { DelivError, UsageError } from '../ui/errors.js';
import { closest, knownHint, notKnownError } from '../ui/suggest.js';
import { createLogsClient, createSfnClient } from './clients.js';
import { isExpressExecutionArn } from './arn.js';
import { attachExpressReader, expressReader, ExpressLogReader, type LoggedHistoryCursor } from './logs.js';
import type { ResolvedTarget } from './target.js';
import { EXECUTION_END_EVENTS } from '../asl/history.js';

/**
 * A Step Functions client for a resolved target, with CloudWatch Logs on the
 * same target. `connect` in src/local/connect.ts resolves the target and
 * starts the local emulator first when needed (the aws layer knows nothing of
 * the emulator); AWS targets go through the SDK's own credential and region chain.
 */
export interface Connection {
  sfn: SFNClient;
  target: ResolvedTarget;
  /** The emulator was not running and has been started for this command. */
  startedEmulator: boolean;
  /** CloudWatch Logs on the same target (the emulator serves it on its own port), made on first use. */
  logs(): Promise<CloudWatchLogsClient>;
}

export async function connectTarget(target: ResolvedTarget, startedEmulator = false): Promise<Connection> {
  let logsClient: Promise<CloudWatchLogsClient> | undefined;
  const logs = () => (logsClient ??= createLogsClient(target));
  const sfn = await createSfnClient(target);
  // Express machines and executions are read from their log groups, on the same target.
  attachExpressReader(sfn, new ExpressLogReader(sfn, logs, target.name, target.local));
  return { sfn, target, startedEmulator, logs };
}

export async function readHistory(
  sfn: SFNClient,
  executionArn: string,
  options: { includeExecutionData?: boolean } = {},
): Promise<HistoryEvent[]> {
  return new HistoryCursor(sfn, executionArn, options).poll();
}

/** Every child execution a Map Run started, whatever its type or status (DescribeMapRun's executionCounts.total). */
export async function mapRunChildCount(sfn: SFNClient, mapRunArn: string): Promise<number> {
  const { DescribeMapRunCommand } = await import('@aws-sdk/client-sfn');
  const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
  return described.executionCounts?.total ?? 0;
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

/** The state machines a project declares, and the file that declares them, for "not in deliv.yaml" errors. */
export interface DeclaredMachines {
  file: string;
  names: readonly string[];
}

/** What a loaded project declares (none outside a project). */
export function declaredBy(project: { file: string; config: { stateMachines: object } } | undefined): DeclaredMachines | undefined {
  return project && { file: project.file, names: Object.keys(project.config.stateMachines) };
}

/**
 * The ARN of the deployed state machine called `name` (deliv deploys each
 * machine under its deliv.yaml key). A name neither deployed nor declared is
 * a typo, not a missing deploy: a usage error that says where it is missing
 * and what was likely meant.
 */
export async function findStateMachineArn(sfn: SFNClient, name: string, declared?: DeclaredMachines): Promise<string> {
  if (name.startsWith('arn:')) return name;
  const deployed = await listStateMachines(sfn);
  const match = deployed.find((machine) => machine.name === name);
  if (match?.stateMachineArn) return match.stateMachineArn;
  if (declared && !declared.names.includes(name)) throw notKnownError('state machine', name, declared.names, path.basename(declared.file));
  if (!declared) {
    const names = deployed.map((machine) => machine.name ?? '').filter(Boolean);
    const guess = closest(name, names);
    if (guess) throw new UsageError(`no state machine \`${name}\` on this target`, { hint: knownHint(name, names), code: 'STATE_MACHINE_NOT_FOUND' });
  }
  throw new DelivError(`state machine \`${name}\` is not deployed on this target`, {
    hint: `run \`deliv deploy ${name}\` first`,
    code: 'STATE_MACHINE_NOT_DEPLOYED',
  });
}

export type ExecutionStatusFilter = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/**
 * Executions of a machine, newest first, at most `limit`, optionally of one
 * status, and only those started at or after `since` (AWS lists newest first,
 * so paging stops at the first older one). `until` stops paging at an
 * execution already known to the caller.
 */
export async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  options: { statusFilter?: ExecutionStatusFilter; limit?: number; since?: Date; until?: (execution: ExecutionListItem) => boolean; mapRunArn?: string } = {},
): Promise<ExecutionListItem[]> {
  // A Map Run's children are listed by the Map Run (ListExecutions --map-run-arn), never together with a machine ARN.
  const express = options.mapRunArn ? undefined : expressReader(sfn);
  if (express && (await express.isExpress(stateMachineArn))) return express.listExecutions(stateMachineArn, options);
  const { ListExecutionsCommand } = await import('@aws-sdk/client-sfn');
  const limit = options.limit ?? 100;
  const executions: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  let reachedOlder = false;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({
        ...(options.mapRunArn ? { mapRunArn: options.mapRunArn } : { stateMachineArn }),
        statusFilter: options.statusFilter,
        maxResults: Math.min(1000, limit - executions.length),
        nextToken,
      }),
    );
    for (const execution of page.executions ?? []) {
      const tooOld = options.since && execution.startDate && execution.startDate.getTime() < options.since.getTime();
      if (tooOld || options.until?.(execution)) {
        reachedOlder = true;
        break;
      }
      executions.push(execution);
    }
    nextToken = page.nextToken;
  } while (nextToken && !reachedOlder && executions.length < limit);
  return executions.slice(0, limit);
}

export function isTerminalEvent(event: HistoryEvent): boolean {
  return (event.type ?? '') in EXECUTION_END_EVENTS;
}

/**
 * Reads one execution's history as it grows: each `poll()` returns only the
 * events not returned before, in order, none twice and none skipped. The
 * first poll reads the history forward; every later one asks only for what
 * follows the last event it holds, reading newest first (`reverseOrder`) back
 * to that event, so following a long history costs what is new, not what is
 * old, on AWS and on the emulator alike. Event ids are consecutive, so a gap
 * (a page the service shifted under us) makes it read forward again.
 */
export class HistoryCursor {
  readonly events: HistoryEvent[] = [];
  /** Express executions have no GetExecutionHistory: their machine's log group is read instead. */
  private readonly logged: LoggedHistoryCursor | undefined;

  constructor(
    private readonly sfn: SFNClient,
    readonly executionArn: string,
    private readonly options: { includeExecutionData?: boolean; pageSize?: number } = {},
  ) {
    this.logged = isExpressExecutionArn(executionArn) ? expressReader(sfn)?.cursor(executionArn) : undefined;
  }

  get done(): boolean {
    const last = this.events.at(-1);
    return last !== undefined && isTerminalEvent(last);
  }

  get lastId(): number {
    return this.events.at(-1)?.id ?? 0;
  }

  async poll(): Promise<HistoryEvent[]> {
    const fresh = this.logged ? await this.logged.poll() : (this.events.length > 0 && (await this.newest())) || (await this.forward());
    this.events.push(...fresh);
    return fresh;
  }

  private async page(reverseOrder: boolean, maxResults: number, nextToken: string | undefined) {
    const { GetExecutionHistoryCommand } = await import('@aws-sdk/client-sfn');
    const input = { executionArn: this.executionArn, maxResults, nextToken, reverseOrder, includeExecutionData: this.options.includeExecutionData ?? true };
    return this.sfn.send(new GetExecutionHistoryCommand(input));
  }

  /** The events after lastId, read newest first back to it; undefined when they do not join up with what is held. */
  private async newest(): Promise<HistoryEvent[] | undefined> {
    const after = this.lastId;
    const found = new Map<number, HistoryEvent>();
    // A small first page: while nothing happens a poll reads a few events, not a thousand.
    let size = this.options.pageSize ?? 25;
    let token: string | undefined;
    for (;;) {
      const page = await this.page(true, size, token);
      const events = page.events ?? [];
      let reached = false;
      for (const event of events) {
        if ((event.id ?? 0) <= after) {
          reached = true;
          break;
        }
        found.set(event.id!, event);
      }
      if (reached || !page.nextToken) break;
      token = page.nextToken;
      size = 1000;
    }
    const fresh = [...found.values()].sort((a, b) => a.id! - b.id!);
    return fresh.every((event, i) => event.id === after + 1 + i) ? fresh : undefined;
  }

  /** The whole history forward, keeping what follows lastId. */
  private async forward(): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    let token: string | undefined;
    do {
      const page = await this.page(false, this.options.pageSize ?? 1000, token);
      const expected = this.lastId + fresh.length + 1;
      const unseen = (page.events ?? []).filter((event) => (event.id ?? 0) >= expected);
      if (unseen.length > 0 && unseen[0].id !== expected) throw new Error(`history of ${this.executionArn} skips from event ${expected - 1} to ${unseen[0].id}`);
      fresh.push(...unseen);
      token = page.nextToken;
    } while (token);
    return fresh;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Polling intervals: quick while events arrive, slower (up to `max`) while nothing happens. */
export class Backoff {
  private current: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    this.current = min;
  }

  next(progressed: boolean): number {
    this.current = progressed ? this.min : Math.min(this.max, Math.round(this.current * 1.5));
    return this.current;
  }
}

/**
 * Follows one execution to its end, handing each batch of new events to
 * `onEvents`; stops early when `signal` aborts (after one read at least, so
 * an aborted signal reads the history as it is). Returns every event read.
 */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  onEvents: (fresh: HistoryEvent[], all: HistoryEvent[]) => void,
  options: { signal?: AbortSignal; includeExecutionData?: boolean; pollMs?: { min: number; max: number } } = {},
): Promise<HistoryEvent[]> {
  const cursor = new HistoryCursor(sfn, executionArn, { includeExecutionData: options.includeExecutionData });
  const backoff = new Backoff(options.pollMs?.min ?? 250, options.pollMs?.max ?? 3000);
  for (;;) {
    const fresh = await cursor.poll();
    if (fresh.length > 0) onEvents(fresh, cursor.events);
    if (cursor.done || options.signal?.aborted) break;
    await sleep(backoff.next(fresh.length > 0), options.signal);
  }
  return cursor.events;
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
  // Express executions are not described by Step Functions: their machine, as it is now, is.
  const express = isExpressExecutionArn(executionArn) ? expressReader(sfn) : undefined;
  if (express) return express.describeMachine(executionArn);
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

/** A deployed machine's definition as JSON, or undefined when it cannot be read (a missing permission, a machine deleted since). */
export async function machineDefinition(sfn: SFNClient, stateMachineArn: string): Promise<unknown> {
  const { DescribeStateMachineCommand } = await import('@aws-sdk/client-sfn');
  const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn })).catch(() => undefined);
  return machine?.definition ? JSON.parse(machine.definition) : undefined;
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
