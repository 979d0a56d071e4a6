/**
 * The one reading of a history's structure: which state entry each event
 * belongs to. AWS chains events by previousEventId per branch; a container's
 * closing events follow the last event of its branches, so ownership is not
 * simply "the nearest StateEntered back along the chain". Tests, graph
 * colours and the log lines all read it from here.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The state entry (by its StateEntered event id) each event belongs to. */
export function eventOwners(events: readonly HistoryEvent[]): Map<number, number> {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) byId.set(event.id ?? 0, event);
  const owners = new Map<number, number>();
  for (const event of events) {
    const owner = ownerOf(event, byId);
    if (owner) owners.set(event.id ?? 0, owner);
  }
  return owners;
}

/**
 * The `…EventDetails` member of an event, found from its type: `TaskFailed` →
 * `taskFailedEventDetails`, and every `…StateEntered` / `…StateExited` shares
 * `stateEnteredEventDetails` / `stateExitedEventDetails`, as GetExecutionHistory
 * names them.
 */
export function detailsOf(event: HistoryEvent): Record<string, any> | undefined {
  const type = event.type ?? '';
  const record = event as Record<string, any>;
  if (type.endsWith('StateEntered')) return record.stateEnteredEventDetails;
  if (type.endsWith('StateExited')) return record.stateExitedEventDetails;
  return record[`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`];
}

const nameOf = (event: HistoryEvent): string | undefined => event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
const CONTAINER_ENTERED = new Set(['ParallelStateEntered', 'MapStateEntered']);

/**
 * The entry an event belongs to, walking its previousEventId chain back. As
 * AWS records them, a container's closing events (ParallelStateSucceeded,
 * ParallelStateExited, MapStateSucceeded...) follow the last event of its
 * branches: so the walk passes over states that were entered and exited on
 * the way (they are closed), and a container's own events go to the nearest
 * open Parallel or Map.
 */
function ownerOf(event: HistoryEvent, byId: Map<number, HistoryEvent>): number {
  const type = event.type ?? '';
  if (type.endsWith('StateEntered')) return event.id ?? 0;
  const exiting = type.endsWith('StateExited') ? nameOf(event) : undefined;
  const containerEvent = !exiting && /^(Parallel|Map)(State|Iteration|Run)/.test(type);
  const closed = new Map<string, number>();
  let at = byId.get(event.previousEventId ?? 0);
  let plainOwner = 0;
  while (at) {
    const atType = at.type ?? '';
    const name = nameOf(at) ?? '';
    if (atType.endsWith('StateExited')) closed.set(name, (closed.get(name) ?? 0) + 1);
    else if (atType.endsWith('StateEntered')) {
      const open = (closed.get(name) ?? 0) === 0;
      if (!open) closed.set(name, (closed.get(name) ?? 0) - 1);
      if (plainOwner === 0) plainOwner = at.id ?? 0;
      if (open && (exiting ? name === exiting : containerEvent ? CONTAINER_ENTERED.has(atType) : true)) return at.id ?? 0;
      // A plain event (a Task's TaskScheduled, say) belongs to the state entered just before it.
      if (!exiting && !containerEvent) return plainOwner;
    }
    at = byId.get(at.previousEventId ?? 0);
  }
  return exiting || containerEvent ? 0 : plainOwner;
}

