/**
 * Retry and Catch for Task, Parallel and Map: run an attempt, and on failure
 * retry with backoff on the execution's clock or hand the error to a catcher.
 */
import { matchesErrorEquals, StatesErrors } from '../asl/errors.js';
import type { Catcher, JsonValue, Retrier } from '../asl/types.js';
import type { CompiledState, Frame } from './execution.js';
import { isPromise } from './execution.js';
import { Cancelled, errorOutput, StateFailure } from './failure.js';
import type { AssignStep, MaybePromise, ResultStep, StateEnv, StateRun, Template } from './io.js';
import { compileAssign, compileResultPath, compileTemplate, exit, andThen } from './io.js';

interface CompiledRetrier {
  errorEquals: string[];
  intervalMs: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelayMs: number;
  jitter: boolean;
}

interface CompiledCatcher {
  errorEquals: string[];
  next: () => CompiledState | null;
  resultPath: ResultStep;
  output: Template | undefined;
  assign: AssignStep | undefined;
}

function checkErrorEquals(env: StateEnv, field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((name) => typeof name !== 'string')) {
    env.problems.push({ path: env.path, field, message: 'ErrorEquals must be a non-empty array of error names' });
    return [];
  }
  const names = value as string[];
  if (names.includes(StatesErrors.ALL) && names.length > 1) env.problems.push({ path: env.path, field, message: 'States.ALL must appear alone in ErrorEquals' });
  return names;
}

function positiveNumber(env: StateEnv, field: string, value: unknown, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= minimum)) {
    env.problems.push({ path: env.path, field, message: `${field.split('.').pop()} must be a number >= ${minimum}` });
    return fallback;
  }
  return value;
}

export class ErrorPolicy {
  private readonly retriers: CompiledRetrier[];
  private readonly catchers: CompiledCatcher[];

  constructor(env: StateEnv, retry: Retrier[] | undefined, catchers: Catcher[] | undefined) {
    this.retriers = (retry ?? []).map((r, i) => {
      const at = `Retry[${i}]`;
      const names = checkErrorEquals(env, `${at}.ErrorEquals`, r.ErrorEquals);
      if (names.includes(StatesErrors.ALL) && i !== (retry?.length ?? 0) - 1) env.problems.push({ path: env.path, field: at, message: 'a retrier with States.ALL must be the last one' });
      return {
        errorEquals: names,
        intervalMs: positiveNumber(env, `${at}.IntervalSeconds`, r.IntervalSeconds, 1, 1) * 1000,
        maxAttempts: positiveNumber(env, `${at}.MaxAttempts`, r.MaxAttempts, 3, 0),
        backoffRate: positiveNumber(env, `${at}.BackoffRate`, r.BackoffRate, 2, 1),
        maxDelayMs: positiveNumber(env, `${at}.MaxDelaySeconds`, r.MaxDelaySeconds, Infinity, 1) * 1000,
        jitter: r.JitterStrategy === 'FULL',
      };
    });
    this.catchers = (catchers ?? []).map((c, i) => {
      const at = `Catch[${i}]`;
      if (typeof c.Next !== 'string') env.problems.push({ path: env.path, field: `${at}.Next`, message: 'a catcher needs Next' });
      if (env.language === 'JSONata' && c.ResultPath !== undefined) env.problems.push({ path: env.path, field: `${at}.ResultPath`, message: 'ResultPath is not supported in JSONata; use Output' });
      if (env.language === 'JSONPath' && c.Output !== undefined) env.problems.push({ path: env.path, field: `${at}.Output`, message: 'Output is only supported in JSONata' });
      return {
        errorEquals: checkErrorEquals(env, `${at}.ErrorEquals`, c.ErrorEquals),
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
      for (let i = 0; i < this.retriers.length; i += 1) {
        const retrier = this.retriers[i];
        if (!matchesErrorEquals(retrier.errorEquals, failure.error)) continue;
        if (counts[i] >= retrier.maxAttempts) break;
        let delay = Math.min(retrier.intervalMs * retrier.backoffRate ** counts[i], retrier.maxDelayMs);
        if (retrier.jitter) delay = Math.random() * delay;
        counts[i] += 1;
        run.retryCount += 1;
        run.resetContext();
        const sleeping = run.frame.exec.sleep(run.frame, delay);
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
