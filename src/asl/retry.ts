/**
 * A Retrier's defaults and its backoff, as the States Language defines them:
 * IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0, and the wait before a
 * retry is IntervalSeconds × BackoffRate^(retries already made), capped by
 * MaxDelaySeconds (AWS Developer Guide, "Retrying after an error"). The
 * engine retries by it, cost prices the waits and attempts by it, and the
 * graph labels retriers with it.
 */

export const RETRY_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/** The wait before the next retry, in the unit `interval` and `cap` are given in (before JitterStrategy FULL draws from [0, wait)). */
export function backoffDelay(interval: number, backoffRate: number, retriesMade: number, cap = Infinity): number {
  return Math.min(interval * backoffRate ** retriesMade, cap);
}
