/**
 * Executions of state machines and their histories: the recent ones, and with
 * `follow` every execution that starts later and every event as it arrives,
 * until the signal aborts. Output goes to a sink, so logs, start --wait and
 * tests share it.
 */
import type { ExecutionListItem, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { UsageError } from '../ui/errors.js';
import { executionOutcome } from './format.js';
import { Backoff, HistoryCursor, listExecutions, sleep, type ExecutionStatusFilter } from '../aws/sfn.js';

export interface TailOptions {
  statusFilter?: ExecutionStatusFilter;
  /** At most this many recent executions per call, oldest first. */
  limit: number;
  since?: Date;
  follow: boolean;
  signal?: AbortSignal;
  includeExecutionData?: boolean;
  pollMs?: { min: number; max: number };
}

/** Receives the events of one execution not handed over before, and all of them so far. */
export type TailSink = (execution: ExecutionListItem, fresh: HistoryEvent[], all: HistoryEvent[]) => void;

export async function tailMachines(sfn: SFNClient, machineArns: string[], sink: TailSink, options: TailOptions): Promise<void> {
  const known = new Set<string>();
  const active: { execution: ExecutionListItem; cursor: HistoryCursor; held: boolean }[] = [];
  const recent: ExecutionListItem[] = [];
  for (const arn of machineArns) {
    recent.push(...(await listExecutions(sfn, arn, { statusFilter: options.statusFilter, limit: options.limit, since: options.since })));
  }
  recent.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
  const shown = recent.slice(-options.limit);
  for (const execution of recent) known.add(execution.executionArn!);
  const newest = recent.reduce((latest, execution) => Math.max(latest, execution.startDate?.getTime() ?? 0), 0);

  for (const execution of shown) {
    const cursor = new HistoryCursor(sfn, execution.executionArn!, { includeExecutionData: options.includeExecutionData });
    const fresh = await cursor.poll();
    if (fresh.length > 0) sink(execution, fresh, cursor.events);
    if (options.follow && !cursor.done) active.push({ execution, cursor, held: false });
  }
  if (!options.follow) return;

  // New executions: those started after the newest one listed (a minute's slack for clock skew), not seen before.
  const since = new Date(Math.min(Date.now(), newest || Date.now()) - 60_000);
  const backoff = new Backoff(options.pollMs?.min ?? 250, options.pollMs?.max ?? 3000);
  while (!options.signal?.aborted) {
    let progressed = false;
    for (const arn of machineArns) {
      const started = await listExecutions(sfn, arn, { limit: 100, since, until: (execution) => known.has(execution.executionArn!) });
      for (const execution of started.reverse()) {
        known.add(execution.executionArn!);
        // With a status filter an execution is shown once it has ended with that status.
        active.push({ execution, cursor: new HistoryCursor(sfn, execution.executionArn!, { includeExecutionData: options.includeExecutionData }), held: Boolean(options.statusFilter) });
      }
    }
    for (const entry of [...active]) {
      if (options.signal?.aborted) break;
      const fresh = await entry.cursor.poll();
      if (fresh.length > 0) progressed = true;
      if (!entry.held && fresh.length > 0) sink(entry.execution, fresh, entry.cursor.events);
      if (entry.cursor.done) {
        active.splice(active.indexOf(entry), 1);
        if (entry.held && executionOutcome(entry.cursor.events).status === options.statusFilter) sink(entry.execution, entry.cursor.events, entry.cursor.events);
      }
    }
    await sleep(backoff.next(progressed), options.signal);
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: `90s`, `30m`, `1h`, `2d`, `1w`, or an ISO date. */
export function parseSince(value: string, now: Date = new Date()): Date {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (match) return new Date(now.getTime() - Number(match[1]) * UNITS[match[2].toLowerCase()]);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new UsageError(`--since ${value}: not a duration or a date`, { hint: 'use e.g. 30m, 1h, 2d, or 2026-01-31T12:00:00Z' });
  }
  return date;
}

export function isExecutionArn(value: string): boolean {
  return /^arn:aws[a-z-]*:states:[^:]*:[^:]*:(execution|express):/.test(value);
}
