/**
 * The predefined error names of the States Language and the one rule that
 * decides whether a Retry/Catch `ErrorEquals` list matches an error. The
 * engine (Retry and Catch), the emulator's TestState (RETRIABLE), cost
 * (which retrier or catcher a failure rate goes through), explain (which
 * Retry/Catch applied) and `deliv test` coverage all ask this module, so
 * they cannot disagree about what a definition does with an error.
 *
 * Sources: AWS Step Functions Developer Guide, "Handling errors in Step
 * Functions workflows" (concepts-error-handling), and the AWS-recorded
 * histories under test/conformance/history (s082, s084, s087, s429).
 */

/** Every `States.*` error name AWS documents (concepts-error-handling), by its short name. */
export const StatesErrors = {
  ALL: 'States.ALL',
  Aborted: 'States.Aborted',
  BranchFailed: 'States.BranchFailed',
  DataLimitExceeded: 'States.DataLimitExceeded',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ItemReaderFailed: 'States.ItemReaderFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  ParameterPathFailure: 'States.ParameterPathFailure',
  Permissions: 'States.Permissions',
  QueryEvaluationError: 'States.QueryEvaluationError',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ResultWriterFailed: 'States.ResultWriterFailed',
  Runtime: 'States.Runtime',
  TaskFailed: 'States.TaskFailed',
  Timeout: 'States.Timeout',
} as const;

export type StatesErrorName = (typeof StatesErrors)[keyof typeof StatesErrors];

/** The prefix AWS reserves for its own names: states may not raise other names starting with it. */
export const STATES_PREFIX = 'States.';

/** A misplaced `States.ALL` in a Retry or Catch list: the entry at fault and what is wrong with it. */
export interface StatesAllProblem {
  /** The entry the problem is reported at: the one holding States.ALL with other names, or the one after a States.ALL entry. */
  index: number;
  /** The problem is in that entry's ErrorEquals (States.ALL not alone), not the entry's place in the list. */
  inErrorEquals: boolean;
  message: string;
}

/**
 * The States Language's placement rules for `States.ALL`: in a Retrier it
 * "MUST appear alone in the ErrorEquals array and MUST appear in the last
 * Retrier in the Retry array", and the same of a Catcher in the Catch array
 * (spec, "Retrying after error" and "Fallback states"). `deliv validate`,
 * create-time validation and the engine's compile all ask this one function
 * (the engine's copy checked the order of retriers only, never of catchers).
 */
export function statesAllProblems(entries: unknown, field: 'Retry' | 'Catch'): StatesAllProblem[] {
  if (!Array.isArray(entries)) return [];
  const problems: StatesAllProblem[] = [];
  entries.forEach((entry, index) => {
    const names = typeof entry === 'object' && entry !== null ? (entry as { ErrorEquals?: unknown }).ErrorEquals : undefined;
    if (!Array.isArray(names) || !names.includes(StatesErrors.ALL)) return;
    if (names.length > 1) problems.push({ index, inErrorEquals: true, message: 'States.ALL must be the only error name in its ErrorEquals' });
    if (index < entries.length - 1) problems.push({ index: index + 1, inErrorEquals: false, message: `comes after ${field}[${index}] which matches States.ALL, so it can never apply; move States.ALL last` });
  });
  return problems;
}

/**
 * Whether no Retry or Catch can ever handle `error`. AWS: "A States.Runtime
 * error is not retriable, and will always cause the execution to fail. A retry
 * or catch on States.ALL will not catch States.Runtime errors."
 *
 * States.DataLimitExceeded is not in this set although the guide calls it
 * terminal: AWS's own recording s084 (a Lambda result over the payload quota,
 * reported as the task's failure) shows `States.ALL` catching it, and s082
 * shows an explicit `States.DataLimitExceeded` catcher taking it. Where AWS
 * fails an execution outright on an oversized state input/output, the engine
 * raises that failure without consulting Catch, not through this rule.
 */
export function isUncatchable(error: string | undefined): boolean {
  return error === StatesErrors.Runtime;
}

/**
 * Whether one `ErrorEquals` list matches `error` (undefined: a Fail state
 * without `Error`, which only `States.ALL` names):
 * - an exact, case-sensitive name matches;
 * - `States.ALL` matches every error;
 * - `States.TaskFailed` "acts as a wildcard that matches any known error name
 *   except for States.Timeout" (AWS guide), so it takes `States.Permissions`,
 *   `States.HeartbeatTimeout`, `States.ResultPathMatchFailure`, ... as well as
 *   a handler's own error names (s087: Lambda's `Exception` goes to the
 *   `States.TaskFailed` catcher);
 * - nothing matches `States.Runtime` (see isUncatchable), not even its own name.
 */
export function matchesErrorEquals(errorEquals: readonly string[], error: string | undefined): boolean {
  if (isUncatchable(error)) return false;
  for (const name of errorEquals) {
    if (name === StatesErrors.ALL) return true;
    if (error === undefined) continue;
    if (name === error) return true;
    if (name === StatesErrors.TaskFailed && error !== StatesErrors.Timeout) return true;
  }
  return false;
}

/** The first retrier or catcher (in definition order, as AWS scans them) whose ErrorEquals matches `error`. */
export function firstMatching<T extends { ErrorEquals?: readonly string[] }>(handlers: readonly T[] | undefined, error: string | undefined): T | undefined {
  return handlers?.find((handler) => matchesErrorEquals(handler.ErrorEquals ?? [], error));
}

/** Index of that first match, -1 when none applies. */
export function firstMatchingIndex<T extends { ErrorEquals?: readonly string[] }>(handlers: readonly T[] | undefined, error: string | undefined): number {
  return handlers?.findIndex((handler) => matchesErrorEquals(handler.ErrorEquals ?? [], error)) ?? -1;
}
