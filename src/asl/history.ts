/**
 * The one reading of a history's structure: which state entry each event
 * belongs to. AWS chains events by previousEventId per branch; a container's
 * closing events follow the last event of its branches, so ownership is not
 * simply "the nearest StateEntered back along the chain". Tests, graph
 * colours and the log lines all read it from here.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StatesErrors } from './errors.js';
import type { JsonValue } from './types.js';

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


/** Events that start one attempt of a state's work: a state with two of them was retried once. */
export const ATTEMPT_EVENTS: ReadonlySet<string> = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled', 'ParallelStateStarted', 'MapStateStarted']);

/** Failures of a state's own work (its task, its evaluation, its Map Run), the ones Retry and Catch act on. */
export const WORK_FAILURE_EVENTS: ReadonlySet<string> = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed',
  'EvaluationFailed', 'MapRunFailed',
]);

/** A Parallel or Map failing as a whole (after a branch or iteration did, or its tolerance ran out). */
export const CONTAINER_FAILURE_EVENTS: ReadonlySet<string> = new Set(['ParallelStateFailed', 'MapStateFailed']);

/** Work that ended well: a failure before it was retried away. */
export const WORK_SUCCESS_EVENTS: ReadonlySet<string> = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded', 'ParallelStateSucceeded', 'MapStateSucceeded', 'MapRunSucceeded']);

export type HistoryStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The execution's closing events and the status each gives (DescribeExecution's names). */
export const EXECUTION_END_EVENTS: Readonly<Record<string, Exclude<HistoryStatus, 'RUNNING'>>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** Milliseconds since the epoch: the SDK gives Dates, raw JSON (the emulator's store, AWS CLI output) epoch seconds or ISO text. */
export function eventTime(event: HistoryEvent): number | undefined {
  const value = event.timestamp as unknown;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * The value of a history's JSON text (an input, an output, parameters, an
 * assigned variable): parsed when it is JSON, else the text as it is (AWS
 * records what it was given); none when there is no text.
 */
export function historyValue(text: unknown): JsonValue | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** The error and cause an event carries, as recorded (either may be absent: AWS leaves out what it was not given). */
export function errorOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  const details = detailsOf(event) as { error?: unknown; cause?: unknown } | undefined;
  if (!details || (details.error === undefined && details.cause === undefined)) return undefined;
  return { error: typeof details.error === 'string' ? details.error : undefined, cause: typeof details.cause === 'string' ? details.cause : undefined };
}

/** An error as a failure event gives it: a time-out or a stop that recorded no error name gets the one AWS means. */
export interface HistoryError {
  error: string;
  cause?: string;
}

export function failureOf(event: HistoryEvent): HistoryError | undefined {
  const recorded = errorOf(event);
  if (recorded) return { error: recorded.error ?? defaultError(event.type), cause: recorded.cause };
  if (event.type?.endsWith('TimedOut')) return { error: StatesErrors.Timeout };
  return undefined;
}

function defaultError(type: string | undefined): string {
  if (type?.endsWith('TimedOut')) return StatesErrors.Timeout;
  if (type === 'ExecutionAborted') return StatesErrors.Aborted;
  return '';
}

/** How an execution that did not succeed ended: the closing event's error, and the state entry it failed in. */
export interface HistoryFailure extends HistoryError {
  /** ExecutionFailed, ExecutionTimedOut or ExecutionAborted. */
  event: HistoryEvent;
  /** The state entry the execution failed in (see failingVisit); none when no state was entered. */
  visit?: StateVisit;
}

/** One entry into a state, with every event that belongs to it. */
export interface StateVisit {
  name: string;
  /** The state's type as its events name it: `Task`, `Map`, `Fail`... */
  type: string;
  entered: HistoryEvent;
  exited?: HistoryEvent;
  /** Its own events in history order, the StateEntered event first. */
  events: HistoryEvent[];
  /** Attempts of its work (ATTEMPT_EVENTS): retries are `attempts - 1`. 0 for states without work (Pass, Choice...). */
  attempts: number;
  /** Its work's failures (WORK_FAILURE_EVENTS), oldest first: all but the last were retried when it exited. */
  failures: HistoryEvent[];
  /** The Parallel or Map entry this one ran inside (a branch or an iteration), none at the top level. */
  parent?: StateVisit;
  /** Entered to exited, when both carry times and it has exited. */
  durationMs?: number;
}

/** One reading of a history: every consumer asks it rather than walking the events itself. */
export interface HistoryIndex {
  readonly events: readonly HistoryEvent[];
  /** Every state entry in the order entered. */
  readonly visits: readonly StateVisit[];
  /** The entry an event belongs to (a state entry's own events, its exit included); none for execution events. */
  visitOf(event: HistoryEvent | undefined): StateVisit | undefined;
  event(id: number | undefined): HistoryEvent | undefined;
  readonly started?: HistoryEvent;
  /** The closing event (ExecutionSucceeded, ...Failed, ...TimedOut, ...Aborted), none while running (or redriven and running again). */
  readonly end?: HistoryEvent;
  readonly status: HistoryStatus;
  /** ExecutionStarted to the closing event. */
  readonly durationMs?: number;
  /** How it failed, timed out or was stopped, and in which state; none while running or when it succeeded. */
  readonly failure?: HistoryFailure;
}

export function indexHistory(events: readonly HistoryEvent[]): HistoryIndex {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) if (event.id !== undefined) byId.set(event.id, event);
  const owners = eventOwners(events);
  const visits: StateVisit[] = [];
  const byEntered = new Map<number, StateVisit>();
  const visitOf = (event: HistoryEvent | undefined): StateVisit | undefined => (event ? byEntered.get(owners.get(event.id ?? 0) ?? 0) : undefined);
  let started: HistoryEvent | undefined;
  let end: HistoryEvent | undefined;
  for (const event of events) {
    const type = event.type ?? '';
    if (type === 'ExecutionStarted') started ??= event;
    // A redriven execution closes again later: its last closing event is the one that counts.
    else if (type in EXECUTION_END_EVENTS) end = event;
    else if (type === 'ExecutionRedriven') end = undefined;
    if (type.endsWith('StateEntered')) {
      const visit: StateVisit = {
        name: String(event.stateEnteredEventDetails?.name ?? ''),
        type: type.slice(0, -'StateEntered'.length),
        entered: event,
        events: [event],
        attempts: 0,
        failures: [],
        parent: parentOf(event),
      };
      visits.push(visit);
      byEntered.set(event.id ?? 0, visit);
      continue;
    }
    const visit = visitOf(event);
    if (!visit) continue;
    visit.events.push(event);
    if (ATTEMPT_EVENTS.has(type)) visit.attempts++;
    else if (WORK_FAILURE_EVENTS.has(type)) visit.failures.push(event);
    else if (type.endsWith('StateExited')) {
      visit.exited = event;
      const from = eventTime(visit.entered);
      const to = eventTime(event);
      if (from !== undefined && to !== undefined) visit.durationMs = to - from;
    }
  }
  const from = started && eventTime(started);
  const to = end && eventTime(end);
  const status: HistoryStatus = end ? EXECUTION_END_EVENTS[end.type ?? ''] : 'RUNNING';
  let failure: HistoryFailure | undefined;
  if (end && status !== 'SUCCEEDED') {
    const recorded = failureOf(end);
    const error = recorded?.error || (status === 'TIMED_OUT' ? StatesErrors.Timeout : '');
    failure = { event: end, error, cause: recorded?.cause, visit: failingVisit(visits, status, error, recorded?.cause) };
  }
  return {
    events,
    visits,
    visitOf,
    event: (id) => (id === undefined ? undefined : byId.get(id)),
    started,
    end,
    status,
    durationMs: from !== undefined && to !== undefined ? to - from : undefined,
    failure,
  };

  /**
   * A state entered right after a branch or iteration started (ParallelStateStarted,
   * MapIterationStarted) runs inside that container; one entered after another
   * state exited (or, in an incomplete chain, after another state's work) runs
   * where that state ran.
   */
  function parentOf(entered: HistoryEvent): StateVisit | undefined {
    const previous = byId.get(entered.previousEventId ?? 0);
    const before = visitOf(previous);
    if (!before) return undefined;
    const insideContainer = (before.type === 'Parallel' || before.type === 'Map') && !(previous?.type ?? '').endsWith('StateExited');
    return insideContainer ? before : before.parent;
  }
}

/** The state named in AWS's runtime-error causes: "An error occurred while executing the state 'X' (entered at ...". */
function stateNamedInCause(cause: string | undefined): string | undefined {
  return cause?.match(/executing the state '([^']+)'/)?.[1];
}

/**
 * The state entry the execution failed in, most specific first: an open entry
 * whose last failure is the execution's error (or a Fail state), the state a
 * States.Runtime cause names, a Map or Parallel failing on its own (BranchFailed,
 * tolerated failures, its item reader, its items evaluation), then the last open
 * entry that failed; for an execution time-out (TimeoutSeconds of the machine)
 * or a stop, the innermost entry still open: that is where it was running.
 * Checked against every AWS-recorded failed history (test/conformance/failing-state.test.ts).
 */
function failingVisit(visits: readonly StateVisit[], status: HistoryStatus, finalError: string, cause: string | undefined): StateVisit | undefined {
  const open = visits.filter((visit) => !visit.exited);
  const failed = open.filter((visit) => visit.failures.length > 0 || visit.type === 'Fail');
  const lastError = (visit: StateVisit) => (visit.type === 'Fail' ? finalError : visit.failures.length > 0 ? failureOf(visit.failures[visit.failures.length - 1])?.error : undefined);
  const last = <T>(list: readonly T[], test: (item: T) => boolean) => [...list].reverse().find(test);
  const namedInCause = stateNamedInCause(cause);
  return (
    last(failed, (visit) => lastError(visit) === finalError) ??
    (namedInCause ? last(visits, (visit) => visit.name === namedInCause) : undefined) ??
    (status === 'TIMED_OUT' ? open.at(-1) : undefined) ??
    last(open, (visit) => visit.type === 'Parallel' || visit.type === 'Map') ??
    failed.at(-1) ??
    open.at(-1)
  );
}

/** How many times each state was retried (attempts beyond the first, summed over its entries). */
export function retriesByState(index: HistoryIndex): Record<string, number> {
  const retries: Record<string, number> = {};
  for (const visit of index.visits) if (visit.attempts > 1) retries[visit.name] = (retries[visit.name] ?? 0) + visit.attempts - 1;
  return retries;
}
