/**
 * A stored execution that carries on: resumed after a restart (its whole
 * history replays) or redriven (RedriveExecution, and a redriven Map Run's
 * Standard children, which AWS redrives "from the last state in
 * ItemProcessor that resulted in their unsuccessful execution").
 */
import type { HistoryEvent } from '../engine/types.js';
import type { ExecutionRow, Store } from './store.js';

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
