/**
 * A stored execution that carries on: resumed after a restart (its whole
 * history replays) or redriven (RedriveExecution, and a redriven Map Run's
 * Standard children, which AWS redrives "from the last state in
 * ItemProcessor that resulted in their unsuccessful execution").
 */
import { HISTORY_EVENT_LIMIT } from '../asl/limits.js';
import { machineArnOfExecution } from '../aws/arn.js';
import type { HistoryEvent } from '../engine/types.js';
import { isDeleting, type ExecutionRow, type Store } from './store.js';

const DAY_MS = 86_400_000;

/** AWS: "The execution event history count is less than 24,999", to leave room for ExecutionRedriven and at least one more event. */
export const REDRIVE_EVENT_LIMIT = HISTORY_EVENT_LIMIT - 1;

/** AWS: "the redrivable period of 14 days ... starts from the day a state machine completes its execution". */
export const REDRIVABLE_PERIOD_MS = 14 * DAY_MS;

/** AWS: "The workflow execution has not exceeded the maximum open time of one year". */
export const MAX_OPEN_MS = 365 * DAY_MS;

/**
 * RedriveExecution's launch (15 November 2023, AWS's announcement): AWS
 * redrives no execution started before it ("Execution was started before the
 * launch of RedriveExecution"). Taken as midnight UTC, the day's start.
 */
export const REDRIVE_LAUNCH_MS = Date.UTC(2023, 10, 15);

const statusRefusal = (status: string): string => `Execution is ${status} and cannot be redriven`;

/**
 * Why an execution cannot be redriven now, in AWS's redriveStatusReason
 * words (DescribeExecution's documented reasons, in its order; AWS's recorded
 * texts carry no final stop), or undefined when it can: the one rule behind
 * RedriveExecution, DescribeExecution's redriveStatus, a Map Run's
 * failuresNotRedrivable and ResultWriter's RedriveStatus. `events` is the
 * stored history's length; `machineDeleting` says the state machine it ran
 * was deleted (AWS keeps it DELETING until its executions end, and redrives
 * none of them).
 */
export function redriveRefusal(row: Pick<ExecutionRow, 'type' | 'status' | 'started' | 'stopped'>, events: number, now: number, machineDeleting = false): string | undefined {
  // An Express execution (a Map Run's child: no other is described) is never RedriveExecution's; AWS gives
  // a reason for one that succeeded, which its Map Run cannot run again either.
  if (row.type === 'EXPRESS') return row.status === 'RUNNING' || row.status === 'SUCCEEDED' ? statusRefusal(row.status) : 'Execution is an Express execution';
  if (machineDeleting) return 'State machine is in DELETING status';
  if (row.status === 'RUNNING' || row.status === 'SUCCEEDED') return statusRefusal(row.status);
  if (row.started < REDRIVE_LAUNCH_MS) return 'Execution was started before the launch of RedriveExecution';
  if (events >= REDRIVE_EVENT_LIMIT) return 'Execution history event limit exceeded';
  if (now - row.started > MAX_OPEN_MS) return 'Execution has exceeded the max execution time';
  if (row.stopped !== null && now - row.stopped > REDRIVABLE_PERIOD_MS) return 'Execution redrivable period exceeded';
  return undefined;
}

/**
 * redriveRefusal of a stored execution, counting its events and looking its
 * state machine up in the store: DELETING while its executions run, and a
 * machine gone since counts so too. A Map Run child's machine
 * (`stateMachine:<machine>/<label>`) is its parent's.
 */
export function storedRedriveRefusal(store: Store, row: ExecutionRow, now: number): string | undefined {
  if (row.type === 'EXPRESS') return redriveRefusal(row, 0, now);
  const machine = store.getMachine(machineArnOfExecution(row.arn));
  const deleting = machine === undefined || isDeleting(machine);
  // Only an ended, unsuccessful Standard execution needs its events counted.
  const events = !deleting && row.status !== 'RUNNING' && row.status !== 'SUCCEEDED' ? store.eventCount(row.arn) : 0;
  return redriveRefusal(row, events, now, deleting);
}

/** Statuses a redrive runs again: the unsuccessful ones (AWS: failed, timed out or aborted). */
export const UNSUCCESSFUL = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export interface RedriveStatus {
  status: 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';
  reason?: string;
}

/**
 * DescribeExecution's redriveStatus and redriveStatusReason, which ResultWriter
 * writes for each child too. For a Map Run's child it says whether the Map Run
 * can run it again (AWS: "For a Distributed Map that includes child workflows
 * ..., redriveStatus indicates whether or not the Map Run can redrive child
 * workflow executions"): an unsuccessful child is REDRIVABLE_BY_MAP_RUN, a
 * Standard one only if the rule above lets it be redriven, an Express one
 * always (it starts over); AWS gives an Express child's reason only once it
 * succeeded.
 */
export function storedRedriveStatus(store: Store, row: ExecutionRow, now: number): RedriveStatus {
  const reason = storedRedriveRefusal(store, row, now);
  if (!row.parentArn?.includes(':mapRun:')) return reason === undefined ? { status: 'REDRIVABLE' } : { status: 'NOT_REDRIVABLE', reason };
  if (UNSUCCESSFUL.has(row.status) && (row.type === 'EXPRESS' || reason === undefined)) return { status: 'REDRIVABLE_BY_MAP_RUN' };
  return { status: 'NOT_REDRIVABLE', reason };
}

/** The history before the failure: everything up to (not including) the failing state's entry and what followed. */
export function redrivePrefix(events: HistoryEvent[]): HistoryEvent[] {
  const terminal = events.findIndex((event) => /^Execution(Failed|Aborted|TimedOut)$/.test(event.type ?? ''));
  let end = terminal === -1 ? events.length : terminal;
  for (let i = end - 1; i >= 0; i--) {
    const type = events[i].type ?? '';
    if (type.endsWith('StateExited')) break;
    if (type.endsWith('StateEntered')) {
      end = i;
      break;
    }
  }
  return events.slice(0, end);
}

/**
 * Redrives a stored execution that ended unsuccessfully: the failed attempt's
 * events stay in the history but leave the engine's view from the failing
 * state's entry on, ExecutionRedriven follows them, and the execution is
 * RUNNING again with one more redrive. The caller then runs it (see carryOn).
 */
export function redriveStored(store: Store, row: ExecutionRow, now: number): void {
  const view = store.engineView(row.arn);
  const keep = redrivePrefix(view.events);
  store.transaction(() => {
    store.retireEvents(row.arn, keep.length === 0 ? 0 : Number(keep[keep.length - 1].id));
    store.appendEvent(row.arn, {
      id: view.maxStored + 1,
      previousEventId: view.maxStored,
      timestamp: new Date(now),
      type: 'ExecutionRedriven',
      executionRedrivenEventDetails: { redriveCount: row.redriveCount + 1 },
    } as HistoryEvent, 0);
    store.markRedriven(row.arn, now);
  });
}

/**
 * What the engine replays of a stored execution it runs (nothing for a fresh
 * start), and the writer of the events it appends: after a redrive the stored
 * ids run on past the engine's, so both ways are translated.
 */
export function carryOn(store: Store, row: ExecutionRow, resume: boolean): { resumeFrom: HistoryEvent[] | undefined; write: (event: HistoryEvent) => HistoryEvent } {
  const arn = row.arn;
  if (row.redriveCount > 0) {
    const view = store.engineView(arn);
    const ids = view.engineToStored;
    let maxStored = view.maxStored;
    return {
      resumeFrom: view.events,
      write: (event) => {
        const engineId = event.id as number;
        let stored = ids.get(engineId);
        if (stored === undefined) {
          stored = ++maxStored;
          ids.set(engineId, stored);
        }
        const previous = event.previousEventId ?? 0;
        const storedEvent = { ...event, id: stored, previousEventId: ids.get(previous) ?? previous };
        store.appendEvent(arn, storedEvent, engineId);
        return storedEvent;
      },
    };
  }
  return {
    resumeFrom: resume ? store.history(arn) : undefined,
    write: (event) => {
      store.appendEvent(arn, event);
      return event;
    },
  };
}
