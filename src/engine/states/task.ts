import type { HistoryEventType } from '@aws-sdk/client-sfn';
import type { JsonValue, TaskState } from '../../asl/types.js';
import { StatesError } from '../errors.js';
import { Deferred, isPromise, type CompiledState, type Frame } from '../execution.js';
import { StateFailure } from '../failure.js';
import type { MaybePromise, StateEnv, StateRun, Template } from '../io.js';
import { NOT_TRUNCATED, compileJsonataTail, compileJsonPathTail, compilePathStep, compileReferenceField, compileTemplate, enter, finishJsonata, finishJsonPath, runtimeError, andThen } from '../io.js';
import { detailsOf } from '../../asl/history.js';
import { requirePath } from '../paths.js';
import { overPayloadLimit, resultTooLargeCause } from '../../asl/limits.js';
import { ErrorPolicy } from '../retry.js';
import type { IntegrationPattern, TaskRequest } from '../types.js';
import { TaskFailure } from '../types.js';
import { StatesErrors } from '../../asl/errors.js';

/** How a resource ARN shows in history events, and which family of events it gets. */
export interface ResourceInfo {
  pattern: IntegrationPattern;
  baseResource: string;
  /** `lambda` for a bare function ARN (LambdaFunction… events), `activity` for an Activity ARN (Activity… events), `task` otherwise (Task… events). */
  family: 'lambda' | 'activity' | 'task';
  resourceType: string;
  resource: string;
  region: string;
}

export function describeResource(arn: string): ResourceInfo {
  let pattern: IntegrationPattern = 'request-response';
  let base = arn;
  for (const [suffix, kind] of [['.waitForTaskToken', 'waitForTaskToken'], ['.sync:2', 'sync:2'], ['.sync', 'sync']] as const) {
    if (arn.endsWith(suffix)) {
      pattern = kind;
      base = arn.slice(0, -suffix.length);
      break;
    }
  }
  const parts = base.split(':');
  const region = parts[3] || 'us-east-1';
  if (parts[2] === 'lambda' && parts[5] === 'function') {
    return { pattern, baseResource: base, family: 'lambda', resourceType: 'lambda', resource: arn, region };
  }
  if (parts[2] === 'states' && parts[5] !== undefined && parts[5] !== 'activity') {
    // arn:aws:states:::lambda:invoke → lambda / invoke; arn:aws:states:::aws-sdk:s3:getObject → aws-sdk:s3 / getObject
    const service = parts.slice(5, -1).join(':');
    const action = parts[parts.length - 1];
    const suffix = arn.slice(base.length);
    return { pattern, baseResource: base, family: 'task', resourceType: service, resource: action + suffix, region };
  }
  if (parts[5] === 'activity') return { pattern, baseResource: base, family: 'activity', resourceType: 'activity', resource: base, region };
  return { pattern, baseResource: base, family: 'task', resourceType: parts[2] ?? 'unknown', resource: arn, region };
}

type Seconds = (run: StateRun, effective: JsonValue) => MaybePromise<number | undefined>;

function compileSeconds(env: StateEnv, field: 'TimeoutSeconds' | 'HeartbeatSeconds', value: number | string | undefined, path: string | undefined): Seconds {
  if (value !== undefined && path !== undefined) env.problems.push({ path: env.path, field, message: `${field} and ${field}Path are mutually exclusive` });
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) env.problems.push({ path: env.path, field, message: `${field} must be a positive integer` });
    return () => value;
  }
  const check = (seconds: unknown, error: string, shown: string): number => {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) {
      throw runtimeError(`The ${shown} must be a positive integer, but was: ${JSON.stringify(seconds ?? null)}`, error);
    }
    return seconds;
  };
  if (typeof value === 'string') {
    const template = compileTemplate(env, field, value) as Template;
    return (run) => andThen(template(run.statesScope()), (seconds) => check(seconds, StatesErrors.QueryEvaluationError, `${field} field`));
  }
  if (path !== undefined) {
    const reference = compileReferenceField(env, `${field}Path`, path);
    return (run, effective) => check(reference ? requirePath(reference, path, run.at(effective)) : undefined, StatesErrors.Runtime, `${field}Path parameter (${path})`);
  }
  return () => undefined;
}

const TIMER_DONE = new Error('timer no longer needed');

/** A runner's rejection as the task's Error/Cause. */
function failureOutcome(error: unknown): Outcome {
  if (error instanceof TaskFailure || error instanceof StatesError) return { ok: false, error: error.error, cause: error.cause };
  if (error instanceof StateFailure) return { ok: false, error: error.error, cause: error.cause };
  return { ok: false, error: StatesErrors.TaskFailed, cause: error instanceof Error ? error.message : String(error) };
}

/**
 * One attempt of a task as the runner sees it (the TaskRequest), and its
 * settlement: first of the runner's answer, a timeout, a missed heartbeat or
 * cancellation wins. A class rather than closures: this is the hot path of
 * every Task state.
 */
class LiveTask implements TaskRequest {
  readonly baseResource: string;
  readonly pattern: IntegrationPattern;
  readonly stateName: string;
  readonly taskToken: string | undefined;
  readonly attempt: number;
  readonly executionArn: string;
  private ctx: JsonValue | undefined;
  private controller: AbortController | undefined;
  private settled = false;
  private watching = false;
  private cleanups: Array<() => void> | undefined;
  private stopHeartbeat: (() => void) | undefined;

  constructor(
    private readonly run: StateRun,
    readonly resource: string,
    info: ResourceInfo,
    readonly parameters: JsonValue,
    readonly timeoutSeconds: number | undefined,
    readonly heartbeatSeconds: number | undefined,
    private readonly complete: (run: StateRun, outcome: Outcome) => MaybePromise<JsonValue>,
    /** The state's output, settled with the task's outcome. */
    readonly output: Deferred,
    private onSubmitted: ((output: JsonValue) => void) | undefined,
    /** Activities only: the worker took the task (ActivityStarted). */
    readonly started?: (workerName?: string) => void,
  ) {
    this.baseResource = info.baseResource;
    this.pattern = info.pattern;
    this.stateName = run.name;
    this.taskToken = run.taskToken;
    this.attempt = run.retryCount;
    this.executionArn = run.frame.exec.executionArnOf(run.frame);
    if (timeoutSeconds !== undefined || heartbeatSeconds !== undefined) {
      this.watchCancel();
      if (timeoutSeconds !== undefined) this.addCleanup(this.timer(timeoutSeconds, StatesErrors.Timeout));
      if (heartbeatSeconds !== undefined) {
        this.stopHeartbeat = this.timer(heartbeatSeconds, StatesErrors.HeartbeatTimeout);
        this.addCleanup(() => this.stopHeartbeat?.());
      }
    }
  }

  /** Built on first use (most runners never look), as the state saw it. */
  get context(): JsonValue {
    return (this.ctx ??= this.run.context);
  }

  /** Made only if the runner looks at it; fires on timeout, stop, or a failing sibling branch. */
  get signal(): AbortSignal {
    this.watchCancel();
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /**
   * The `.sync`/`.waitForTaskToken` submit call was accepted: TaskSubmitted, once, with the service's answer.
   * Methods, not arrow properties: TaskRequest declares them as methods, and two closures per task showed in bench (d1).
   */
  submitted(output: JsonValue): void {
    if (this.settled || !this.onSubmitted) return;
    const report = this.onSubmitted;
    this.onSubmitted = undefined;
    report(output);
  }

  heartbeat(): void {
    if (this.settled || this.heartbeatSeconds === undefined) return;
    this.stopHeartbeat?.();
    this.stopHeartbeat = this.timer(this.heartbeatSeconds, StatesErrors.HeartbeatTimeout);
  }

  /** `later`: see Deferred.reject. */
  settle(outcome: Outcome | undefined, error?: unknown, later = false): void {
    if (this.settled) return;
    this.settled = true;
    if (this.cleanups) for (const cleanup of this.cleanups) cleanup();
    if (!outcome) return this.output.reject(error, later);
    let output: MaybePromise<JsonValue>;
    try {
      output = this.complete(this.run, outcome);
    } catch (failure) {
      this.output.reject(failure);
      return;
    }
    // Outside the try: the top level's chain may carry on from here, and what it raises is its own.
    this.output.resolve(output);
  }

  private addCleanup(cleanup: () => void): void {
    (this.cleanups ??= []).push(cleanup);
  }

  private watchCancel(): void {
    if (this.watching) return;
    this.watching = true;
    this.addCleanup(
      this.run.frame.scope.onCancel((reason) => {
        this.controller?.abort(reason);
        this.settle(undefined, reason, true);
      }),
    );
  }

  private timer(seconds: number, error: string): () => void {
    const stop = new AbortController();
    this.run.frame.exec.deadline(seconds * 1000, stop.signal).then(
      () => {
        this.controller?.abort(new StatesError(error));
        this.settle({ ok: false, error, timedOut: true });
      },
      () => {},
    );
    return () => stop.abort(TIMER_DONE);
  }
}

interface Outcome {
  ok: boolean;
  value?: JsonValue;
  error?: string;
  cause?: string;
  timedOut?: boolean;
  /** Taken from the resumed history: its event is already there. */
  replayed?: boolean;
}

export function compileTask(def: TaskState, env: StateEnv, next: () => CompiledState | null): CompiledState {
  const name = env.name;
  const jsonata = env.language === 'JSONata';
  if (typeof def.Resource !== 'string') env.problems.push({ path: env.path, field: 'Resource', message: 'a Task state needs a Resource ARN' });
  const info = describeResource(String(def.Resource ?? ''));
  const legacyLambda = info.family === 'lambda';
  // An Activity's events carry no resource type, and it starts only when a worker takes the task (GetActivityTask).
  const activity = info.family === 'activity';
  const prefix = legacyLambda ? 'LambdaFunction' : activity ? 'Activity' : 'Task';
  const scheduled = `${prefix}Scheduled` as HistoryEventType;
  const started = `${prefix}Started` as HistoryEventType;
  const succeeded = `${prefix}Succeeded` as HistoryEventType;
  const failed = `${prefix}Failed` as HistoryEventType;
  const timedOut = `${prefix}TimedOut` as HistoryEventType;
  const keyOf = (type: string): string => type.charAt(0).toLowerCase() + type.slice(1) + 'EventDetails';
  const keys: Record<string, string> = Object.fromEntries([scheduled, started, succeeded, failed, timedOut].map((type) => [type, keyOf(type)]));
  const key = (type: string): string => keys[type] ?? keyOf(type);
  const scheduledKey = key(scheduled);
  const startedKey = key(started);
  const succeededKey = key(succeeded);
  const base = legacyLambda || activity ? {} : { resourceType: info.resourceType, resource: info.resource };
  /** TaskSubmitted's and TaskSucceeded's details: the resource and the service's answer. */
  const withOutput = (exec: Frame['exec'], output: JsonValue) => ({ ...base, output: exec.json(output), outputDetails: NOT_TRUNCATED });

  const inputPath = compilePathStep(env, 'InputPath', jsonata ? undefined : def.InputPath);
  const parameters = jsonata ? compileTemplate(env, 'Arguments', def.Arguments) : compileTemplate(env, 'Parameters', def.Parameters);
  const pathTail = jsonata ? undefined : compileJsonPathTail(env, def);
  const ataTail = jsonata ? compileJsonataTail(env, def) : undefined;
  // Credentials (a role to assume for the call) is a payload template like Parameters; TaskScheduled shows its RoleArn.
  const credentials = compileTemplate(env, 'Credentials', def.Credentials);
  const timeout = compileSeconds(env, 'TimeoutSeconds', def.TimeoutSeconds, def.TimeoutSecondsPath);
  const heartbeat = compileSeconds(env, 'HeartbeatSeconds', def.HeartbeatSeconds, def.HeartbeatSecondsPath);
  const policy = new ErrorPolicy(env, def.Retry, def.Catch);

  /**
   * Schedules the task, lets the runner perform it (or takes its recorded
   * outcome when resuming) and resolves with `complete(outcome)`, the
   * state's final output: one promise per task, however it ends.
   */
  const perform = (
    run: StateRun,
    params: JsonValue,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
    roleArn: JsonValue | undefined,
    sameStep: boolean,
  ): Promise<JsonValue> | Deferred => {
    const frame = run.frame;
    const exec = frame.exec;
    const scheduledDetails: Record<string, unknown> =
      legacyLambda || activity
        ? { resource: info.resource, input: exec.json(params), inputDetails: NOT_TRUNCATED }
        : { ...base, region: info.region, parameters: exec.json(params) };
    if (timeoutSeconds !== undefined) scheduledDetails.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined && !legacyLambda) scheduledDetails.heartbeatInSeconds = heartbeatSeconds;
    if (roleArn !== undefined) scheduledDetails.taskCredentials = { roleArn };
    exec.emit(frame, scheduled, scheduledKey, scheduledDetails, undefined, sameStep);
    let markStarted: ((workerName?: string) => void) | undefined;
    if (!activity) exec.emit(frame, started, startedKey, legacyLambda ? undefined : { ...base }, undefined, true);
    else if (exec.replayOf(frame)?.peek(frame.last, [started])) exec.emit(frame, started, startedKey, undefined);
    else {
      let once = false;
      markStarted = (workerName) => {
        if (once) return;
        once = true;
        exec.emit(frame, started, startedKey, workerName === undefined ? {} : { workerName });
      };
    }
    let submitted = info.pattern === 'request-response' || legacyLambda || activity;
    const replay = exec.replayOf(frame);
    if (replay) {
      if (!submitted && replay.peek(frame.last, ['TaskSubmitted'])) {
        exec.emit(frame, 'TaskSubmitted', 'taskSubmittedEventDetails', withOutput(exec, null));
        submitted = true;
      }
      const recorded = replay.peek(frame.last, [succeeded, failed, timedOut]);
      if (recorded) {
        exec.emit(frame, recorded.type as HistoryEventType, key(recorded.type as string), undefined);
        const details = detailsOf(recorded) ?? {};
        const outcome: Outcome =
          recorded.type === succeeded
            ? { ok: true, value: JSON.parse(String(details.output ?? 'null')) as JsonValue, replayed: true }
            : { ok: false, error: details.error as string | undefined, cause: details.cause as string | undefined, timedOut: recorded.type === timedOut, replayed: true };
        return new Promise<JsonValue>((resolve) => resolve(complete(run, outcome)));
      }
    }
    const onSubmitted = submitted ? undefined : (output: JsonValue) => exec.emit(frame, 'TaskSubmitted', 'taskSubmittedEventDetails', withOutput(exec, output));
    const task = new LiveTask(run, def.Resource, info, params, timeoutSeconds, heartbeatSeconds, complete, new Deferred(), onSubmitted, markStarted);
    let pending: Promise<JsonValue> | JsonValue;
    try {
      pending = exec.runner.run(task);
    } catch (error) {
      task.settle(failureOutcome(error));
      return task.output;
    }
    // A promise as it is (Promise.resolve would hand back the same one), any other answer through one.
    (pending instanceof Promise ? pending : Promise.resolve(pending)).then(
      (value) => task.settle({ ok: true, value: value === undefined ? null : value }),
      (error: unknown) => task.settle(failureOutcome(error)),
    );
    return task.output;
  };

  /** The state's end once the task settled: its Succeeded or Failed event, then the exit. One function for every task, not a closure per attempt. */
  const complete = (run: StateRun, outcome: Outcome): MaybePromise<JsonValue> => {
    const frame = run.frame;
    const exec = frame.exec;
    if (!outcome.ok) {
      const details: Record<string, unknown> = { ...base };
      if (outcome.error !== undefined) details.error = outcome.error;
      if (outcome.cause !== undefined) details.cause = outcome.cause;
      const type = outcome.timedOut ? timedOut : failed;
      if (!outcome.replayed) exec.emit(frame, type, key(type), details);
      throw new StateFailure(outcome.error, outcome.cause);
    }
    const result = outcome.value as JsonValue;
    // A result over the payload quota is the task's failure, which Retry and Catch see (AWS's recording s084).
    if (!outcome.replayed && overPayloadLimit(exec.json(result))) {
      const cause = resultTooLargeCause(String(def.Resource));
      exec.emit(frame, failed, key(failed), { ...base, error: StatesErrors.DataLimitExceeded, cause });
      throw new StateFailure(StatesErrors.DataLimitExceeded, cause);
    }
    exec.inspect?.('result', result);
    if (!outcome.replayed) {
      exec.emit(frame, succeeded, succeededKey, withOutput(exec, result));
    }
    frame.next = next();
    // The exit follows TaskSucceeded at once (`!outcome.replayed`: a replayed one's time is not now).
    return pathTail
      ? finishJsonPath(run, 'Task', pathTail, result, !outcome.replayed)
      : finishJsonata(run, 'Task', ataTail as NonNullable<typeof ataTail>, result, true, !outcome.replayed);
  };

  const attempt = (frame: Frame, run: StateRun, effective: JsonValue): MaybePromise<JsonValue> => {
    if (info.pattern === 'waitForTaskToken') {
      run.taskToken = frame.exec.taskToken(run.enteredId, run.retryCount, frame.exec.executionArnOf(frame));
      run.resetContext();
    }
    const params = jsonata
      ? andThen(parameters ? parameters(run.statesScope()) : run.rawInput, (value) => value)
      : parameters
        ? (parameters(run.at(effective)) as JsonValue)
        : effective;
    // Whether TaskScheduled follows the state's entry with nothing awaited in between (see Execution.emit).
    const sameStep = run.retryCount === 0 && !isPromise(params);
    return isPromise<JsonValue>(params) ? params.then((resolved) => withParams(run, effective, resolved, false)) : withParams(run, effective, params, sameStep);
  };

  const roleOf = (role: JsonValue | undefined): JsonValue | undefined => (role as { RoleArn?: JsonValue } | undefined)?.RoleArn;

  // The steps between the parameters and the task, as functions rather than nested andThen closures:
  // each closure was an allocation per task even when nothing awaits (bench (d1)).
  const withParams = (run: StateRun, effective: JsonValue, resolved: JsonValue, sameStep: boolean): MaybePromise<JsonValue> => {
    run.frame.exec.inspect?.(jsonata ? 'afterArguments' : 'afterParameters', resolved);
    const timeoutSeconds = timeout(run, effective);
    if (isPromise<number | undefined>(timeoutSeconds)) return timeoutSeconds.then((seconds) => withTimeout(run, effective, resolved, seconds, false));
    return withTimeout(run, effective, resolved, timeoutSeconds, sameStep);
  };

  const withTimeout = (run: StateRun, effective: JsonValue, resolved: JsonValue, timeoutSeconds: number | undefined, sameStep: boolean): MaybePromise<JsonValue> => {
    const heartbeatSeconds = heartbeat(run, effective);
    if (isPromise<number | undefined>(heartbeatSeconds)) return heartbeatSeconds.then((seconds) => withHeartbeat(run, effective, resolved, timeoutSeconds, seconds, false));
    return withHeartbeat(run, effective, resolved, timeoutSeconds, heartbeatSeconds, sameStep);
  };

  const withHeartbeat = (run: StateRun, effective: JsonValue, resolved: JsonValue, timeoutSeconds: number | undefined, heartbeatSeconds: number | undefined, sameStep: boolean): MaybePromise<JsonValue> => {
    const roleTemplate = credentials ? credentials(jsonata ? run.statesScope() : run.at(effective)) : undefined;
    if (isPromise<JsonValue>(roleTemplate)) return roleTemplate.then((role) => perform(run, resolved, timeoutSeconds, heartbeatSeconds, roleOf(role), false));
    return perform(run, resolved, timeoutSeconds, heartbeatSeconds, roleOf(roleTemplate), sameStep);
  };

  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Task', name, input);
      const effective = inputPath(input, run);
      if (!jsonata) frame.exec.inspect?.('afterInputPath', effective);
      return policy.run(run, 'Task', env.language, () => attempt(frame, run, effective));
    },
  };
}
