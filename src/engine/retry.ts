/**
 * Retry and Catch for Task, Parallel and Map: run an attempt, and on failure
 * retry with backoff on the execution's clock or hand the error to a catcher.
 */
import { matchesErrorEquals, statesAllProblems } from '../asl/errors.js';
import { backoffDelay, RETRY_DEFAULTS } from '../asl/retry.js';
import type { Catcher, JsonValue, Retrier } from '../asl/types.js';
import type { CompiledState, Frame } from './execution.js';
import { isPromise } from './execution.js';
import { Cancelled, errorOutput, StateFailure } from './failure.js';
import type { AssignStep, MaybePromise, ResultStep, StateEnv, StateRun, Template } from './io.js';
import { compileAssign, compileResultPath, compileTemplate, exit, andThen } from './io.js';

/** A Retry entry with AWS's defaults filled in (IntervalSeconds 1, MaxAttempts 3, BackoffRate 2, no cap, no jitter). */
export interface RetryRule {
  errorEquals: string[];
  intervalMs: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelayMs: number;
  jitter: boolean;
}

/** Where a Retry field is wrong (`Retry[0].BackoffRate`) and why. */
export type RetryProblem = (field: string, message: string) => void;

interface CompiledCatcher {
  errorEquals: string[];
  next: () => CompiledState | null;
  resultPath: ResultStep;
  output: Template | undefined;
  assign: AssignStep | undefined;
}

function checkErrorEquals(problem: RetryProblem, field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((name) => typeof name !== 'string')) {
    problem(field, 'ErrorEquals must be a non-empty array of error names');
    return [];
  }
  return value as string[];
}

function positiveNumber(problem: RetryProblem, field: string, value: unknown, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= minimum)) {
    problem(field, `${field.split('.').pop()} must be a number >= ${minimum}`);
    return fallback;
  }
  return value;
}

/** States.ALL alone and last in a Retry or Catch list (src/asl/errors.ts holds the rule, shared with validate). */
function placeStatesAll(entries: unknown, field: 'Retry' | 'Catch', problem: RetryProblem): void {
  for (const found of statesAllProblems(entries, field)) problem(`${field}[${found.index}]${found.inErrorEquals ? '.ErrorEquals' : ''}`, found.message);
}

/** A state's Retry list checked and with its defaults; each problem goes to `problem`. */
export function compileRetriers(retry: readonly Retrier[] | undefined, problem: RetryProblem): RetryRule[] {
  placeStatesAll(retry, 'Retry', problem);
  return (retry ?? []).map((r, i) => {
    const at = `Retry[${i}]`;
    const names = checkErrorEquals(problem, `${at}.ErrorEquals`, r.ErrorEquals);
    return {
      errorEquals: names,
      intervalMs: positiveNumber(problem, `${at}.IntervalSeconds`, r.IntervalSeconds, RETRY_DEFAULTS.IntervalSeconds, 1) * 1000,
      maxAttempts: positiveNumber(problem, `${at}.MaxAttempts`, r.MaxAttempts, RETRY_DEFAULTS.MaxAttempts, 0),
      backoffRate: positiveNumber(problem, `${at}.BackoffRate`, r.BackoffRate, RETRY_DEFAULTS.BackoffRate, 1),
      maxDelayMs: positiveNumber(problem, `${at}.MaxDelaySeconds`, r.MaxDelaySeconds, Infinity, 1) * 1000,
      jitter: r.JitterStrategy === 'FULL',
    };
  });
}

/**
 * The retrier that takes `error` and the wait before the next attempt, or
 * undefined when the error is not retried. As AWS does it: the first retrier
 * whose ErrorEquals matches decides (once it has spent MaxAttempts the error
 * is not retried, even when a later one matches too), and the wait is
 * IntervalSeconds × BackoffRate^(retries made so far), capped by
 * MaxDelaySeconds. `retriesOf(i)` is how often retrier i has retried already.
 * The delay is before jitter: JitterStrategy FULL draws the real wait from
 * [0, delay) where it is slept (`ErrorPolicy.run`).
 */
export function nextRetry(rules: readonly RetryRule[], error: string | undefined, retriesOf: (index: number) => number): { index: number; rule: RetryRule; delayMs: number } | undefined {
  for (let index = 0; index < rules.length; index += 1) {
    const rule = rules[index];
    if (!matchesErrorEquals(rule.errorEquals, error)) continue;
    const retried = retriesOf(index);
    if (retried >= rule.maxAttempts) return undefined;
    return { index, rule, delayMs: backoffDelay(rule.intervalMs, rule.backoffRate, retried, rule.maxDelayMs) };
  }
  return undefined;
}

export class ErrorPolicy {
  private readonly retriers: RetryRule[];
  private readonly catchers: CompiledCatcher[];

  constructor(env: StateEnv, retry: Retrier[] | undefined, catchers: Catcher[] | undefined) {
    const problem: RetryProblem = (field, message) => env.problems.push({ path: env.path, field, message });
    this.retriers = compileRetriers(retry, problem);
    placeStatesAll(catchers, 'Catch', problem);
    this.catchers = (catchers ?? []).map((c, i) => {
      const at = `Catch[${i}]`;
      if (typeof c.Next !== 'string') env.problems.push({ path: env.path, field: `${at}.Next`, message: 'a catcher needs Next' });
      if (env.language === 'JSONata' && c.ResultPath !== undefined) env.problems.push({ path: env.path, field: `${at}.ResultPath`, message: 'ResultPath is not supported in JSONata; use Output' });
      if (env.language === 'JSONPath' && c.Output !== undefined) env.problems.push({ path: env.path, field: `${at}.Output`, message: 'Output is only supported in JSONata' });
      return {
        errorEquals: checkErrorEquals(problem, `${at}.ErrorEquals`, c.ErrorEquals),
        next: env.link(c.Next, `${at}.Next`),
        resultPath: compileResultPath(env, c.ResultPath),
        output: compileTemplate(env, `${at}.Output`, c.Output),
        assign: compileAssign(env, c.Assign, `${at}.Assign`),
      };
    });
  }

  get empty(): boolean {
    return this.retriers.length === 0 && this.catchers.length === 0;
  }

  /**
   * Runs `attempt` (which exits the state itself on success) under the
   * retriers and catchers. `giveUp` runs once when a failure is not retried
   * (caught or passed up): Parallel and Map write their `…StateFailed` event
   * there, since AWS records it once for the state, not once per attempt.
   */
  run(run: StateRun, type: string, language: 'JSONPath' | 'JSONata', attempt: () => MaybePromise<JsonValue>, giveUp?: (failure: StateFailure) => void): MaybePromise<JsonValue> {
    // Nothing to retry or catch: failures go straight up (the chain runner words them).
    if (this.retriers.length === 0 && this.catchers.length === 0) {
      if (!giveUp) return attempt();
      const fail = (error: unknown): never => {
        const failure = run.fail(error);
        if (!(failure instanceof Cancelled)) giveUp(failure);
        throw failure;
      };
      let result: MaybePromise<JsonValue>;
      try {
        result = attempt();
      } catch (error) {
        return fail(error);
      }
      return isPromise<JsonValue>(result) ? result.then(undefined, fail) : result;
    }
    const counts = this.retriers.length > 0 ? new Array<number>(this.retriers.length).fill(0) : [];
    const onError = (error: unknown): MaybePromise<JsonValue> => {
      const failure = run.fail(error);
      if (failure instanceof Cancelled) throw failure;
      run.frame.exec.inspect?.('error', errorOutput(failure) as JsonValue);
      const retry = nextRetry(this.retriers, failure.error, (i) => counts[i]);
      if (retry) {
        counts[retry.index] += 1;
        run.retryCount += 1;
        run.resetContext();
        const sleeping = run.frame.exec.sleep(run.frame, retry.rule.jitter ? Math.random() * retry.delayMs : retry.delayMs);
        return sleeping ? sleeping.then(tryOnce) : tryOnce();
      }
      giveUp?.(failure);
      for (const catcher of this.catchers) {
        if (matchesErrorEquals(catcher.errorEquals, failure.error)) return this.catch(run, type, language, failure, catcher);
      }
      throw failure;
    };
    const tryOnce = (): MaybePromise<JsonValue> => {
      let result: MaybePromise<JsonValue>;
      try {
        result = attempt();
      } catch (error) {
        return onError(error);
      }
      return isPromise<JsonValue>(result) ? result.then(undefined, onError) : result;
    };
    return tryOnce();
  }

  private catch(run: StateRun, type: string, language: 'JSONPath' | 'JSONata', failure: StateFailure, catcher: CompiledCatcher): MaybePromise<JsonValue> {
    const errorOut = errorOutput(failure) as JsonValue;
    const frame: Frame = run.frame;
    const finish = (output: JsonValue, assigned: Record<string, JsonValue> | undefined): JsonValue => {
      const out = exit(run, type, output, assigned);
      frame.next = catcher.next();
      return out;
    };
    try {
      if (language === 'JSONata') {
        const scope = run.statesScope({ errorOutput: errorOut });
        const assigned = catcher.assign ? catcher.assign(scope) : undefined;
        return andThen(assigned, (vars) => andThen(catcher.output ? catcher.output(scope) : errorOut, (output) => finish(output, vars)));
      }
      const assigned = catcher.assign ? catcher.assign(run.at(errorOut)) : undefined;
      return andThen(assigned, (vars) => finish(catcher.resultPath(run.rawInput, errorOut), vars));
    } catch (error) {
      throw run.fail(error);
    }
  }
}
