/**
 * The failure context: everything an explainer (Claude or the offline rules)
 * needs to know about why an execution failed, distilled from its
 * GetExecutionHistory events and its definition. A pure function of both, so
 * local and AWS executions read the same way and tests need no endpoint.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { firstMatching, isUncatchable, StatesErrors } from '../asl/errors.js';
import { findState } from '../asl/graph.js';
import type { Catcher, JsonValue, QueryLanguage, Retrier, State, StateMachineDefinition, WorkflowType } from '../asl/types.js';

/** A Lambda function error as the Node/Python runtimes serialise it into the cause. */
export interface HandlerError {
  errorType?: string;
  errorMessage?: string;
  stackTrace: string[];
}

export interface FailedAttempt {
  error: string;
  cause?: string;
}

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

const LEAF_FAILURE_TYPES = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed',
  'EvaluationFailed', 'MapRunFailed',
]);
const EXECUTION_END_TYPES = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const PATH_LIMIT = 40;

export function parseJson(text: string | undefined): JsonValue | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** errorType/errorMessage/trace out of a Lambda cause (Node `trace`, Python and Java `stackTrace`). */
export function parseHandlerError(cause: string | undefined): HandlerError | undefined {
  const parsed = parseJson(cause);
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

/** Error and cause of any failure event, whatever its `...EventDetails` key. */
function failureOf(event: HistoryEvent): FailedAttempt | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
    const details = value as { error?: string; cause?: string };
    if ('error' in details || 'cause' in details) {
      return { error: details.error ?? defaultError(event.type), cause: details.cause };
    }
  }
  if (event.type === 'ExecutionTimedOut' || event.type?.endsWith('TimedOut')) return { error: StatesErrors.Timeout };
  return undefined;
}

function defaultError(type: string | undefined): string {
  if (type?.endsWith('TimedOut')) return StatesErrors.Timeout;
  if (type === 'ExecutionAborted') return StatesErrors.Aborted;
  return '';
}

/** The state named in AWS's runtime-error causes: "An error occurred while executing the state 'X' (entered at ...". */
function stateNamedInCause(cause: string | undefined): string | undefined {
  return cause?.match(/executing the state '([^']+)'/)?.[1];
}

export function extractFailureContext(
  events: readonly HistoryEvent[],
  definition: StateMachineDefinition | undefined,
  meta: ExecutionMeta = {},
): FailureContext {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) if (event.id !== undefined) byId.set(event.id, event);

  // The state entry each event belongs to: follow previousEventId to the nearest StateEntered,
  // falling back to the most recent entry when an emulator leaves the chain incomplete.
  // A Map or Parallel state's own events (MapStateFailed, MapRunFailed, ParallelStateFailed...) follow the
  // last event of an iteration or branch on AWS, so they belong to the innermost open entry of that type.
  const ownerOf = new Map<number, number>();
  let lastEntered: number | undefined;
  const open: HistoryEvent[] = [];
  for (const event of events) {
    if (event.id === undefined) continue;
    if (event.stateEnteredEventDetails) {
      ownerOf.set(event.id, event.id);
      lastEntered = event.id;
      if (event.type === 'MapStateEntered' || event.type === 'ParallelStateEntered') open.push(event);
      continue;
    }
    const kind = /^(Map|Parallel)(State|Run)/.exec(event.type ?? '')?.[1];
    if (kind && event.type !== `${kind}StateExited`) {
      const entry = [...open].reverse().find((candidate) => candidate.type === `${kind}StateEntered`);
      if (entry?.id !== undefined) {
        ownerOf.set(event.id, entry.id);
        continue;
      }
    }
    if (event.type === 'MapStateExited' || event.type === 'ParallelStateExited') {
      const index = open.map((candidate) => candidate.stateEnteredEventDetails?.name).lastIndexOf(event.stateExitedEventDetails?.name);
      if (index >= 0) open.splice(index, 1);
    }
    const viaChain = event.previousEventId !== undefined ? ownerOf.get(event.previousEventId) : undefined;
    const owner = viaChain ?? lastEntered;
    if (owner !== undefined) ownerOf.set(event.id, owner);
  }

  const entries = events.filter((event) => event.stateEnteredEventDetails);
  const exitedEntries = new Set<number>();
  for (const event of events) {
    const exited = event.stateExitedEventDetails?.name;
    if (!exited || event.id === undefined) continue;
    const entry = [...entries].reverse().find((candidate) => candidate.stateEnteredEventDetails?.name === exited && (candidate.id ?? 0) < (event.id ?? 0));
    if (entry?.id !== undefined) exitedEntries.add(entry.id);
  }
  const nameOfEntry = (id: number | undefined) => (id === undefined ? undefined : byId.get(id)?.stateEnteredEventDetails?.name);

  const started = events.find((event) => event.type === 'ExecutionStarted');
  const end = [...events].reverse().find((event) => EXECUTION_END_TYPES.has(event.type ?? ''));
  const endFailure = end ? failureOf(end) : undefined;
  const status: FailureContext['execution']['status'] =
    end?.type === 'ExecutionFailed' ? 'FAILED' : end?.type === 'ExecutionTimedOut' ? 'TIMED_OUT' : end?.type === 'ExecutionAborted' ? 'ABORTED' : 'UNKNOWN';

  // Failures of state entries, grouped by entry.
  const failuresByEntry = new Map<number, HistoryEvent[]>();
  for (const event of events) {
    const isLeaf = LEAF_FAILURE_TYPES.has(event.type ?? '');
    if (!isLeaf || event.id === undefined) continue;
    const owner = ownerOf.get(event.id);
    if (owner === undefined) continue;
    failuresByEntry.set(owner, [...(failuresByEntry.get(owner) ?? []), event]);
  }

  const finalError = endFailure?.error || (status === 'TIMED_OUT' ? StatesErrors.Timeout : '');
  const unexited = entries.filter((entry) => entry.id !== undefined && !exitedEntries.has(entry.id));

  // The failing state entry, most specific first.
  let failingEntry: HistoryEvent | undefined;
  const leafCandidates = unexited.filter((entry) => failuresByEntry.has(entry.id!) || entry.type === 'FailStateEntered');
  const lastErrorOf = (entry: HistoryEvent) =>
    entry.type === 'FailStateEntered' ? finalError : failureOf(failuresByEntry.get(entry.id!)!.at(-1)!)?.error;
  failingEntry = [...leafCandidates].reverse().find((entry) => lastErrorOf(entry) === finalError);
  const namedInCause = stateNamedInCause(endFailure?.cause);
  if (!failingEntry && namedInCause) failingEntry = [...entries].reverse().find((entry) => entry.stateEnteredEventDetails?.name === namedInCause);
  if (!failingEntry) {
    // A Map or Parallel failing with its own error (BranchFailed, tolerated failures, item reader): the container is the failing state.
    failingEntry = [...unexited].reverse().find((entry) => entry.type === 'MapStateEntered' || entry.type === 'ParallelStateEntered');
  }
  if (!failingEntry && status !== 'TIMED_OUT') failingEntry = leafCandidates.at(-1);
  if (!failingEntry) {
    // Timed out or aborted while running: the innermost state still open, or the first open container.
    failingEntry = unexited.at(-1);
  }

  let failingState: FailingState | undefined;
  let attempts: FailedAttempt[] = [];
  let retrier: Retrier | undefined;
  let catchVerdict: FailureContext['catchVerdict'] = 'not-applicable';
  const located = failingEntry ? findState(definition, failingEntry.stateEnteredEventDetails!.name!) : undefined;
  if (failingEntry) {
    const name = failingEntry.stateEnteredEventDetails!.name!;
    const ownEvents = events.filter((event) => event.id !== undefined && ownerOf.get(event.id) === failingEntry!.id);
    const scheduled = [...ownEvents].reverse().find((event) => event.taskScheduledEventDetails || event.lambdaFunctionScheduledEventDetails || event.activityScheduledEventDetails);
    const task = scheduled?.taskScheduledEventDetails;
    const lambda = scheduled?.lambdaFunctionScheduledEventDetails;
    const activity = scheduled?.activityScheduledEventDetails;
    failingState = {
      name,
      type: located?.state.Type ?? failingEntry.type?.replace(/StateEntered$/, ''),
      definition: located?.state,
      input: parseJson(failingEntry.stateEnteredEventDetails!.input),
      parameters: task ? parseJson(task.parameters) : lambda ? parseJson(lambda.input) : activity ? parseJson(activity.input) : undefined,
      resource: task ? `${task.resourceType}:${task.resource}` : lambda?.resource ?? activity?.resource,
      resourceType: task?.resourceType ?? (lambda ? 'lambda' : activity ? 'activity' : undefined),
      timeoutInSeconds: task?.timeoutInSeconds ?? lambda?.timeoutInSeconds ?? activity?.timeoutInSeconds,
      heartbeatInSeconds: task?.heartbeatInSeconds ?? activity?.heartbeatInSeconds,
      enclosedBy: located?.enclosedBy ?? [],
    };
    attempts = (failuresByEntry.get(failingEntry.id!) ?? []).map((event) => failureOf(event)!).filter(Boolean);
    const state = located?.state as { Retry?: Retrier[]; Catch?: Catcher[] } | undefined;
    retrier = firstMatching(state?.Retry, finalError);
    if (isUncatchable(finalError)) catchVerdict = 'not-catchable';
    else if (state && ['Task', 'Map', 'Parallel'].includes(located!.state.Type)) catchVerdict = state.Catch?.length ? 'no-matching-catch' : 'no-catch';
  }

  // Failures a Catch handled: the entry failed, then the state was exited anyway.
  const handled: HandledFailure[] = [];
  for (const entry of entries) {
    if (entry.id === undefined || !exitedEntries.has(entry.id)) continue;
    const failures = failuresByEntry.get(entry.id);
    if (!failures?.length) continue;
    const last = failureOf(failures.at(-1)!)!;
    const name = entry.stateEnteredEventDetails!.name!;
    const state = findState(definition, name)?.state as { Catch?: Catcher[] } | undefined;
    const catcher = firstMatching(state?.Catch, last.error);
    if (!catcher) continue; // retried into success: not a handled failure
    const exitIndex = events.findIndex((event) => event.stateExitedEventDetails?.name === name && (event.id ?? 0) > entry.id!);
    const wentTo = events.slice(exitIndex + 1).find((event) => event.stateEnteredEventDetails)?.stateEnteredEventDetails?.name ?? catcher.Next;
    handled.push({ state: name, error: last.error, cause: last.cause, attempts: failures.length, catcher, wentTo });
  }
  // A failure inside a Map or Parallel that the container's Catch handled: the inner state never exits, the container does.
  const handledInside = new Set<number>();
  for (const entry of entries) {
    if (entry.id === undefined || !exitedEntries.has(entry.id) || (entry.type !== 'ParallelStateEntered' && entry.type !== 'MapStateEntered')) continue;
    const name = entry.stateEnteredEventDetails!.name!;
    const failed = events.find((event) => (event.type === 'ParallelStateFailed' || event.type === 'MapStateFailed') && (event.id ?? 0) > entry.id! && ownerOf.get(event.id!) !== undefined);
    const exit = events.find((event) => event.stateExitedEventDetails?.name === name && (event.id ?? 0) > entry.id!);
    if (!failed || !exit || (failed.id ?? 0) > (exit.id ?? 0)) continue;
    const inner = [...unexited].reverse().find((candidate) => (candidate.id ?? 0) > entry.id! && (candidate.id ?? 0) < failed.id! && failuresByEntry.has(candidate.id!));
    if (!inner) continue;
    const failures = failuresByEntry.get(inner.id!)!;
    const last = failureOf(failures.at(-1)!)!;
    const container = findState(definition, name)?.state as { Catch?: Catcher[] } | undefined;
    const catcher = firstMatching(container?.Catch, last.error);
    const wentTo = events.slice(events.indexOf(exit) + 1).find((event) => event.stateEnteredEventDetails)?.stateEnteredEventDetails?.name ?? catcher?.Next;
    handledInside.add(inner.id!);
    handled.push({ state: nameOfEntry(inner.id)!, error: last.error, cause: last.cause, attempts: failures.length, catcher, caughtBy: name, wentTo });
  }

  const otherFailures: FailureContext['otherFailures'] = [];
  for (const entry of unexited) {
    if (entry === failingEntry || entry.id === undefined || handledInside.has(entry.id)) continue;
    const failures = failuresByEntry.get(entry.id);
    if (!failures?.length) continue;
    otherFailures.push({ state: nameOfEntry(entry.id), ...failureOf(failures.at(-1)!)! });
    if (otherFailures.length >= 5) break;
  }

  const error = finalError || attempts.at(-1)?.error || '';
  const cause = endFailure?.cause ?? attempts.at(-1)?.cause;
  return {
    execution: {
      arn: meta.executionArn,
      name: meta.name ?? meta.executionArn?.split(':').at(-1),
      stateMachineArn: meta.stateMachineArn,
      status,
      input: parseJson(started?.executionStartedEventDetails?.input),
    },
    workflowType: meta.workflowType,
    queryLanguage: located?.queryLanguage ?? definition?.QueryLanguage ?? 'JSONPath',
    error,
    cause,
    handlerError: parseHandlerError(cause),
    failingState,
    attempts,
    retrier,
    catchVerdict,
    handled,
    otherFailures,
    path: foldPath(entries.map((entry) => entry.stateEnteredEventDetails!.name!)),
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
