/**
 * How failures travel inside an execution. Every error a state raises ends up
 * as a `StateFailure` (the final Error/Cause pair Retry, Catch and the history
 * see) or a `Cancelled` (the execution or an enclosing Map/Parallel gave up on
 * this work); nothing else escapes a state.
 */
import { StatesError } from './errors.js';
import { TaskFailure } from './types.js';
import { StatesErrors } from '../asl/errors.js';

export class StateFailure extends Error {
  constructor(
    /** Undefined for a Fail state without Error, as AWS leaves it out. */
    readonly error: string | undefined,
    override readonly cause: string | undefined,
  ) {
    super(cause ? `${error ?? ''}: ${cause}` : (error ?? 'failure'));
    this.name = 'StateFailure';
  }
}

export class Cancelled extends Error {
  constructor(readonly kind: 'aborted' | 'timed-out' | 'sibling-failed' | 'done') {
    super(`cancelled (${kind})`);
    this.name = 'Cancelled';
  }
}

const PREFIX = 'An error occurred while executing the state';

/** ExecutionTimedOut's cause: an execution (or a Map Run's Express child) past its TimeoutSeconds or Express's five minutes. */
export const executionTimedOutCause = (seconds: number): string => `The execution timed out after ${seconds} seconds`;

/** Turns whatever a state threw into its final form; runtime errors get AWS's "while executing the state" prefix. */
export function toFailure(error: unknown, stateName: string, enteredEventId: number): StateFailure | Cancelled {
  if (error instanceof StateFailure || error instanceof Cancelled) return error;
  const prefix = `${PREFIX} '${stateName}' (entered at the event id #${enteredEventId}). `;
  if (error instanceof StatesError) {
    const cause = error.cause.startsWith(PREFIX) ? error.cause : prefix + error.cause;
    return new StateFailure(error.error, cause);
  }
  if (error instanceof TaskFailure) return new StateFailure(error.error, error.cause);
  const message = error instanceof Error ? error.message : typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
  return new StateFailure(StatesErrors.Runtime, prefix + message);
}

/** The `{Error, Cause}` object Catch hands on (keys left out when AWS has none). */
export function errorOutput(failure: StateFailure): { Error?: string; Cause?: string } {
  const out: { Error?: string; Cause?: string } = {};
  if (failure.error !== undefined) out.Error = failure.error;
  if (failure.cause !== undefined) out.Cause = failure.cause;
  return out;
}
