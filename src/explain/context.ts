/**
 * The failure context: everything an explainer (Claude or the offline rules)
 * needs to know about why an execution failed, distilled from its
 * GetExecutionHistory events and its definition. A pure function of both, so
 * local and AWS executions read the same way and tests need no endpoint.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { firstMatching, isUncatchable } from '../asl/errors.js';
import { executionNames } from '../aws/arn.js';
import { findState, type StateInfo } from '../asl/graph.js';
import { CONTAINER_FAILURE_EVENTS, failureOf, historyValue, indexHistory, type HistoryError, type HistoryIndex, type StateVisit } from '../asl/history.js';
import type { Catcher, JsonValue, QueryLanguage, Retrier, State, StateMachineDefinition, WorkflowType } from '../asl/types.js';

/** A Lambda function error as the Node/Python runtimes serialise it into the cause. */
export interface HandlerError {
  errorType?: string;
  errorMessage?: string;
  stackTrace: string[];
}

/** One failed attempt's error and cause (the history index's reading of a failure event). */
export type FailedAttempt = HistoryError;

export interface FailingState {
  name: string;
  type?: string;
  /** The state as written in the definition (after substitutions). */
  definition?: State;
  /** The input the state received (parsed JSON when it is JSON). */
  input?: JsonValue;
  /** Parameters the task was scheduled with on its last attempt. */
  parameters?: JsonValue;
  resource?: string;
  resourceType?: string;
  timeoutInSeconds?: number;
  heartbeatInSeconds?: number;
  /** Map/Parallel states around it, outermost first. */
  enclosedBy: string[];
}

/** An earlier failure that a Catch handled: not the cause, but often a clue. */
export interface HandledFailure {
  state: string;
  error: string;
  cause?: string;
  attempts: number;
  catcher?: Catcher;
  /** The Map or Parallel whose Catch handled a failure inside it. */
  caughtBy?: string;
  /** The state the Catch sent the execution to. */
  wentTo?: string;
}

export interface FailureContext {
  execution: {
    arn?: string;
    name?: string;
    stateMachineArn?: string;
    status: 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'UNKNOWN';
    input?: JsonValue;
  };
  workflowType?: WorkflowType;
  queryLanguage: QueryLanguage;
  error: string;
  cause?: string;
  /** The cause parsed when it is a serialised handler error. */
  handlerError?: HandlerError;
  failingState?: FailingState;
  /** Every failed attempt of the failing state, oldest first; all but the last were retried. */
  attempts: FailedAttempt[];
  /** The Retry rule that matched the error, if any (it ran out of attempts). */
  retrier?: Retrier;
  /** Why no Catch caught the final error. */
  catchVerdict: 'no-catch' | 'no-matching-catch' | 'not-catchable' | 'not-applicable';
  handled: HandledFailure[];
  /** Other failures in the run that were not caught (Map items, Parallel branches). */
  otherFailures: Array<FailedAttempt & { state?: string }>;
  /** States entered, in order; consecutive repeats folded as `Name ×3`. */
  path: string[];
  /** TimeoutSeconds of the whole state machine. */
  machineTimeoutSeconds?: number;
}

export interface ExecutionMeta {
  executionArn?: string;
  name?: string;
  stateMachineArn?: string;
  workflowType?: WorkflowType;
}

const PATH_LIMIT = 40;

/** errorType/errorMessage/trace out of a Lambda cause (Node `trace`, Python and Java `stackTrace`). */
export function parseHandlerError(cause: string | undefined): HandlerError | undefined {
  const parsed = historyValue(cause);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { errorType, errorMessage } = parsed;
  if (typeof errorType !== 'string' && typeof errorMessage !== 'string') return undefined;
  const rawTrace = parsed.trace ?? parsed.stackTrace;
  const stackTrace = Array.isArray(rawTrace)
    ? rawTrace.map((line) => (Array.isArray(line) ? line.join(' ') : String(line)))
    : typeof rawTrace === 'string' ? rawTrace.split('\n') : [];
  return {
    errorType: typeof errorType === 'string' ? errorType : undefined,
    errorMessage: typeof errorMessage === 'string' ? errorMessage : undefined,
    stackTrace,
  };
}

/** The last failure of an entry's work. */
const lastFailureOf = (visit: StateVisit): FailedAttempt | undefined => (visit.failures.length > 0 ? failureOf(visit.failures[visit.failures.length - 1]) : undefined);

const isContainer = (visit: StateVisit): boolean => visit.type === 'Parallel' || visit.type === 'Map';
const isInside = (visit: StateVisit, container: StateVisit): boolean => {
  for (let at = visit.parent; at; at = at.parent) if (at === container) return true;
  return false;
};
/** The state entered right after an entry left (its Next, or the Catch's). */
const enteredAfter = (index: HistoryIndex, visit: StateVisit): string | undefined =>
  visit.exited ? index.visits.find((next) => next.entered.previousEventId === visit.exited!.id)?.name : undefined;

/** The failing state as the definition and its last attempt describe it. */
function describeFailingState(visit: StateVisit, located: StateInfo | undefined): FailingState {
  const scheduled = [...visit.events].reverse().find((event) => event.taskScheduledEventDetails || event.lambdaFunctionScheduledEventDetails || event.activityScheduledEventDetails);
  const task = scheduled?.taskScheduledEventDetails;
  const lambda = scheduled?.lambdaFunctionScheduledEventDetails;
  const activity = scheduled?.activityScheduledEventDetails;
  return {
    name: visit.name,
    type: located?.state.Type ?? visit.type,
    definition: located?.state,
    input: historyValue(visit.entered.stateEnteredEventDetails?.input),
    parameters: task ? historyValue(task.parameters) : lambda ? historyValue(lambda.input) : activity ? historyValue(activity.input) : undefined,
    resource: task ? `${task.resourceType}:${task.resource}` : lambda?.resource ?? activity?.resource,
    resourceType: task?.resourceType ?? (lambda ? 'lambda' : activity ? 'activity' : undefined),
    timeoutInSeconds: task?.timeoutInSeconds ?? lambda?.timeoutInSeconds ?? activity?.timeoutInSeconds,
    heartbeatInSeconds: task?.heartbeatInSeconds ?? activity?.heartbeatInSeconds,
    enclosedBy: located?.enclosedBy ?? [],
  };
}

/** Why no Catch caught the final error of the failing state. */
function catchVerdictOf(located: StateInfo | undefined, finalError: string): FailureContext['catchVerdict'] {
  if (isUncatchable(finalError)) return 'not-catchable';
  if (!located || !['Task', 'Map', 'Parallel'].includes(located.state.Type)) return 'not-applicable';
  return (located.state as { Catch?: Catcher[] }).Catch?.length ? 'no-matching-catch' : 'no-catch';
}

/**
 * Failures a Catch handled: an entry whose work failed and that exited anyway
 * (a failure retried into success matches no catcher and is left out), and a
 * failure inside a Map or Parallel whose own Catch handled it (the inner state
 * never exits, the container does).
 */
function handledFailures(index: HistoryIndex, definition: StateMachineDefinition | undefined): { handled: HandledFailure[]; inside: Set<StateVisit> } {
  const handled: HandledFailure[] = [];
  const inside = new Set<StateVisit>();
  const catchersOf = (name: string) => (findState(definition, name)?.state as { Catch?: Catcher[] } | undefined)?.Catch;
  for (const visit of index.visits) {
    const last = lastFailureOf(visit);
    if (!visit.exited || !last) continue;
    const catcher = firstMatching(catchersOf(visit.name), last.error);
    if (!catcher) continue;
    handled.push({ state: visit.name, error: last.error, cause: last.cause, attempts: visit.failures.length, catcher, wentTo: enteredAfter(index, visit) ?? catcher.Next });
  }
  for (const container of index.visits) {
    if (!container.exited || !isContainer(container)) continue;
    const failed = container.events.find((event) => CONTAINER_FAILURE_EVENTS.has(event.type ?? ''));
    if (!failed) continue;
    const inner = [...index.visits].reverse().find((visit) => !visit.exited && visit.failures.length > 0 && (visit.entered.id ?? 0) < (failed.id ?? 0) && isInside(visit, container));
    if (!inner) continue;
    const last = lastFailureOf(inner)!;
    const catcher = firstMatching(catchersOf(container.name), last.error);
    inside.add(inner);
    handled.push({ state: inner.name, error: last.error, cause: last.cause, attempts: inner.failures.length, catcher, caughtBy: container.name, wentTo: enteredAfter(index, container) ?? catcher?.Next });
  }
  return { handled, inside };
}

/** Other entries that failed and were not caught (Map items, Parallel branches), up to five. */
function otherFailuresOf(index: HistoryIndex, failing: StateVisit | undefined, handledInside: ReadonlySet<StateVisit>): FailureContext['otherFailures'] {
  const others: FailureContext['otherFailures'] = [];
  for (const visit of index.visits) {
    if (visit.exited || visit === failing || handledInside.has(visit)) continue;
    const last = lastFailureOf(visit);
    if (!last) continue;
    others.push({ state: visit.name, ...last });
    if (others.length >= 5) break;
  }
  return others;
}

export function extractFailureContext(
  events: readonly HistoryEvent[],
  definition: StateMachineDefinition | undefined,
  meta: ExecutionMeta = {},
): FailureContext {
  const index = indexHistory(events);
  const status: FailureContext['execution']['status'] = index.status === 'RUNNING' || index.status === 'SUCCEEDED' ? 'UNKNOWN' : index.status;
  const finalError = index.failure?.error ?? '';
  // The state it failed in is the history index's one answer (logs and graph read the same).
  const failing = index.failure?.visit;
  const located = failing ? findState(definition, failing.name) : undefined;
  const attempts = (failing?.failures ?? []).map(failureOf).filter((attempt): attempt is FailedAttempt => attempt !== undefined);
  const { handled, inside } = handledFailures(index, definition);

  const error = finalError || attempts.at(-1)?.error || '';
  const cause = index.failure?.cause ?? attempts.at(-1)?.cause;
  return {
    execution: {
      arn: meta.executionArn,
      name: meta.name ?? (meta.executionArn ? executionNames(meta.executionArn)?.name : undefined),
      stateMachineArn: meta.stateMachineArn,
      status,
      input: historyValue(index.started?.executionStartedEventDetails?.input),
    },
    workflowType: meta.workflowType,
    queryLanguage: located?.queryLanguage ?? definition?.QueryLanguage ?? 'JSONPath',
    error,
    cause,
    handlerError: parseHandlerError(cause),
    failingState: failing ? describeFailingState(failing, located) : undefined,
    attempts,
    retrier: failing ? firstMatching((located?.state as { Retry?: Retrier[] } | undefined)?.Retry, finalError) : undefined,
    catchVerdict: failing ? catchVerdictOf(located, finalError) : 'not-applicable',
    handled,
    otherFailures: otherFailuresOf(index, failing, inside),
    path: foldPath(index.visits.map((visit) => visit.name)),
    machineTimeoutSeconds: definition?.TimeoutSeconds,
  };
}

function foldPath(names: string[]): string[] {
  const folded: string[] = [];
  let previous: string | undefined;
  let count = 0;
  const flush = () => {
    if (previous !== undefined) folded.push(count > 1 ? `${previous} ×${count}` : previous);
  };
  for (const name of names) {
    if (name === previous) {
      count += 1;
      continue;
    }
    flush();
    previous = name;
    count = 1;
  }
  flush();
  if (folded.length <= PATH_LIMIT) return folded;
  return [...folded.slice(0, 10), `… ${folded.length - PATH_LIMIT} more …`, ...folded.slice(-(PATH_LIMIT - 10))];
}

/**
 * The context with its data redacted: inputs, parameters, causes, messages and
 * literals in the definition, and the names too (execution, states, errors):
 * they are the workflow's code, so redaction only touches what in them looks
 * like personal data (an execution named after a CPF, an error quoting an email).
 */
export function redactContext(ctx: FailureContext, redactor: { redact<T>(value: T): T; redactText(text: string): string }): FailureContext {
  const data = redactor.redact({
    executionInput: ctx.execution.input,
    cause: ctx.cause,
    handlerMessage: ctx.handlerError?.errorMessage,
    handlerTrace: ctx.handlerError?.stackTrace,
    stateDefinition: ctx.failingState?.definition,
    stateInput: ctx.failingState?.input,
    stateParameters: ctx.failingState?.parameters,
    attemptCauses: ctx.attempts.map((attempt) => attempt.cause),
    handledCauses: ctx.handled.map((handled) => handled.cause),
    otherCauses: ctx.otherFailures.map((other) => other.cause),
  });
  const name = (text: string) => redactor.redactText(text);
  const optional = (text: string | undefined) => (text === undefined ? undefined : name(text));
  return {
    ...ctx,
    execution: { ...ctx.execution, name: optional(ctx.execution.name), arn: optional(ctx.execution.arn), input: data.executionInput },
    error: name(ctx.error),
    cause: data.cause,
    handlerError: ctx.handlerError ? { ...ctx.handlerError, errorType: optional(ctx.handlerError.errorType), errorMessage: data.handlerMessage, stackTrace: data.handlerTrace ?? [] } : undefined,
    failingState: ctx.failingState
      ? { ...ctx.failingState, name: name(ctx.failingState.name), enclosedBy: ctx.failingState.enclosedBy.map(name), definition: data.stateDefinition, input: data.stateInput, parameters: data.stateParameters }
      : undefined,
    attempts: ctx.attempts.map((attempt, index) => ({ ...attempt, error: name(attempt.error), cause: data.attemptCauses[index] })),
    handled: ctx.handled.map((handled, index) => ({ ...handled, state: name(handled.state), error: name(handled.error), wentTo: optional(handled.wentTo), caughtBy: optional(handled.caughtBy), cause: data.handledCauses[index] })),
    otherFailures: ctx.otherFailures.map((other, index) => ({ ...other, state: optional(other.state), error: name(other.error), cause: data.otherCauses[index] })),
    path: ctx.path.map(name),
  };
}
