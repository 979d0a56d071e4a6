/**
 * A stored execution that carries on: resumed after a restart (its whole
 * history replays) or redriven (RedriveExecution, and a redriven Map Run's
 * Standard children, which AWS redrives "from the last state in
 * ItemProcessor that resulted in their unsuccessful execution").
 */
import { HISTORY_EVENT_LIMIT } from '../asl/limits.js';
import type { HistoryEvent } from '../engine/types.js';
import type { ExecutionRow, Store } from './store.js';

const DAY_MS = 86_400_000;

/** AWS: "The execution event history count is less than 24,999", to leave room for ExecutionRedriven and at least one more event. */
export const REDRIVE_EVENT_LIMIT = HISTORY_EVENT_LIMIT - 1;

/** AWS: "the redrivable period of 14 days ... starts from the day a state machine completes its execution". */
export const REDRIVABLE_PERIOD_MS = 14 * DAY_MS;

/** AWS: "The workflow execution has not exceeded the maximum open time of one year". */
export const MAX_OPEN_MS = 365 * DAY_MS;

/**
 * Why an execution cannot be redriven now, in AWS's redriveStatusReason
 * words (DescribeExecution's documented reasons), or undefined when it can:
 * the one rule behind RedriveExecution, DescribeExecution's redriveStatus and
 * a Map Run's failuresNotRedrivable. `events` is the stored history's length.
 */
export function redriveRefusal(row: Pick<ExecutionRow, 'type' | 'status' | 'started' | 'stopped'>, events: number, now: number): string | undefined {
  if (row.type === 'EXPRESS') return 'Execution is an Express execution';
  if (row.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven';
  if (row.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven';
  if (events >= REDRIVE_EVENT_LIMIT) return 'Execution history event limit exceeded';
  if (now - row.started > MAX_OPEN_MS) return 'Execution has exceeded the max execution time';
  if (row.stopped !== null && now - row.stopped > REDRIVABLE_PERIOD_MS) return 'Execution redrivable period exceeded';
  return undefined;
}

/** redriveRefusal of a stored execution, counting its events in the store. */
export function storedRedriveRefusal(store: Store, row: ExecutionRow, now: number): string | undefined {
  // Only an ended, unsuccessful Standard execution needs its events counted.
  const events = row.type === 'STANDARD' && row.status !== 'RUNNING' && row.status !== 'SUCCEEDED' ? store.eventCount(row.arn) : 0;
  return redriveRefusal(row, events, now);
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
