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
