import type { HistoryEventType } from '@aws-sdk/client-sfn';
import type { JsonValue, TaskState } from '../../asl/types.js';
import { StatesError } from '../errors.js';
import type { CompiledState, Frame } from '../execution.js';
import { StateFailure } from '../failure.js';
import type { MaybePromise, StateEnv, StateRun, Template } from '../io.js';
import { compileJsonataTail, compileJsonPathTail, compilePathStep, compileReferenceField, compileTemplate, enter, finishJsonata, finishJsonPath, runtimeError, andThen } from '../io.js';
import { detailsOf } from '../replay.js';
import { ErrorPolicy } from '../retry.js';
import type { IntegrationPattern, TaskRequest } from '../types.js';
import { TaskFailure } from '../types.js';

/** How a resource ARN shows in history events, and which family of events it gets. */
export interface ResourceInfo {
  pattern: IntegrationPattern;
  baseResource: string;
  /** `lambda` for a bare function ARN (LambdaFunction… events), `task` otherwise (Task… events). */
  family: 'lambda' | 'task';
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
  if (parts[5] === 'activity') return { pattern, baseResource: base, family: 'task', resourceType: 'activity', resource: base, region };
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
    return (run) => andThen(template(run.statesScope()), (seconds) => check(seconds, 'States.QueryEvaluationError', `${field} field`));
  }
  if (path !== undefined) {
    const reference = compileReferenceField(env, `${field}Path`, path);
    return (run, effective) => check(reference ? reference(run.at(effective)) : undefined, 'States.Runtime', `${field}Path parameter (${path})`);
  }
  return () => undefined;
}

const TIMER_DONE = new Error('timer no longer needed');

/** A runner's rejection as the task's Error/Cause. */
function failureOutcome(error: unknown): Outcome {
  if (error instanceof TaskFailure || error instanceof StatesError) return { ok: false, error: error.error, cause: error.cause };
  if (error instanceof StateFailure) return { ok: false, error: error.error, cause: error.cause };
  return { ok: false, error: 'States.TaskFailed', cause: error instanceof Error ? error.message : String(error) };
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
  const scheduled: HistoryEventType = legacyLambda ? 'LambdaFunctionScheduled' : 'TaskScheduled';
  const started: HistoryEventType = legacyLambda ? 'LambdaFunctionStarted' : 'TaskStarted';
  const succeeded: HistoryEventType = legacyLambda ? 'LambdaFunctionSucceeded' : 'TaskSucceeded';
  const failed: HistoryEventType = legacyLambda ? 'LambdaFunctionFailed' : 'TaskFailed';
  const timedOut: HistoryEventType = legacyLambda ? 'LambdaFunctionTimedOut' : 'TaskTimedOut';
  const key = (type: string): string => type.charAt(0).toLowerCase() + type.slice(1) + 'EventDetails';
  const base = legacyLambda ? {} : { resourceType: info.resourceType, resource: info.resource };

  const inputPath = compilePathStep(env, 'InputPath', jsonata ? undefined : def.InputPath);
  const parameters = jsonata ? compileTemplate(env, 'Arguments', def.Arguments) : compileTemplate(env, 'Parameters', def.Parameters);
  const pathTail = jsonata ? undefined : compileJsonPathTail(env, def);
  const ataTail = jsonata ? compileJsonataTail(env, def) : undefined;
  const timeout = compileSeconds(env, 'TimeoutSeconds', def.TimeoutSeconds, def.TimeoutSecondsPath);
  const heartbeat = compileSeconds(env, 'HeartbeatSeconds', def.HeartbeatSeconds, def.HeartbeatSecondsPath);
  const policy = new ErrorPolicy(env, def.Retry, def.Catch);

  const perform = (run: StateRun, params: JsonValue, timeoutSeconds: number | undefined, heartbeatSeconds: number | undefined): Promise<Outcome> => {
    const frame = run.frame;
    const exec = frame.exec;
    const scheduledDetails: Record<string, unknown> = legacyLambda
      ? { resource: info.resource, input: JSON.stringify(params), inputDetails: { truncated: false } }
      : { ...base, region: info.region, parameters: JSON.stringify(params) };
    if (timeoutSeconds !== undefined) scheduledDetails.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined && !legacyLambda) scheduledDetails.heartbeatInSeconds = heartbeatSeconds;
    exec.emit(frame, scheduled, key(scheduled), scheduledDetails);
    exec.emit(frame, started, key(started), legacyLambda ? undefined : { ...base });
    if (exec.replay) {
      const recorded = exec.replay.peek(frame.last, [succeeded, failed, timedOut]);
      if (recorded) {
        exec.emit(frame, recorded.type as HistoryEventType, key(recorded.type as string), undefined);
        const details = detailsOf(recorded) ?? {};
        if (recorded.type === succeeded) return Promise.resolve({ ok: true, value: JSON.parse(String(details.output ?? 'null')) as JsonValue, replayed: true });
        return Promise.resolve({ ok: false, error: details.error as string | undefined, cause: details.cause as string | undefined, timedOut: recorded.type === timedOut, replayed: true });
      }
    }
    return new Promise<Outcome>((resolve, reject) => {
      let settled = false;
      // The runner's AbortSignal is made only if the runner looks at it: most in-process handlers never do.
      let controller: AbortController | undefined;
      const cleanups: Array<() => void> = [];
      const settle = (outcome: Outcome | undefined, error?: unknown): void => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups) cleanup();
        if (outcome) resolve(outcome);
        else reject(error);
      };
      const abortTask = (reason: unknown): void => controller?.abort(reason);
      cleanups.push(
        frame.scope.onCancel((reason) => {
          abortTask(reason);
          settle(undefined, reason);
        }),
      );
      const timer = (seconds: number, error: string): (() => void) => {
        const stop = new AbortController();
        exec.deadline(seconds * 1000, stop.signal).then(
          () => {
            abortTask(new StatesError(error));
            settle({ ok: false, error, timedOut: true });
          },
          () => {},
        );
        return () => stop.abort(TIMER_DONE);
      };
      if (timeoutSeconds !== undefined) cleanups.push(timer(timeoutSeconds, 'States.Timeout'));
      let stopHeartbeat = heartbeatSeconds !== undefined ? timer(heartbeatSeconds, 'States.HeartbeatTimeout') : undefined;
      if (stopHeartbeat) cleanups.push(() => stopHeartbeat?.());
      const request: TaskRequest = {
        resource: def.Resource,
        baseResource: info.baseResource,
        pattern: info.pattern,
        parameters: params,
        stateName: name,
        context: run.context,
        taskToken: run.taskToken,
        timeoutSeconds,
        heartbeatSeconds,
        attempt: run.retryCount,
        executionArn: exec.options.executionArn,
        get signal() {
          controller ??= new AbortController();
          return controller.signal;
        },
        heartbeat: () => {
          if (settled || heartbeatSeconds === undefined) return;
          stopHeartbeat?.();
          stopHeartbeat = timer(heartbeatSeconds, 'States.HeartbeatTimeout');
        },
      };
      let pending: Promise<JsonValue> | JsonValue;
      try {
        pending = exec.runner.run(request);
      } catch (error) {
        settle(failureOutcome(error));
        return;
      }
      Promise.resolve(pending).then(
        (value) => settle({ ok: true, value: value === undefined ? null : value }),
        (error: unknown) => settle(failureOutcome(error)),
      );
    });
  };

  const attempt = (frame: Frame, run: StateRun, effective: JsonValue): MaybePromise<JsonValue> => {
    if (info.pattern === 'waitForTaskToken') {
      run.taskToken = frame.exec.taskToken(run.enteredId, run.retryCount);
      run.resetContext();
    }
    const params = jsonata
      ? andThen(parameters ? parameters(run.statesScope()) : run.rawInput, (value) => value)
      : parameters
        ? (parameters(run.at(effective)) as JsonValue)
        : effective;
    return andThen(params, (resolved) =>
      andThen(timeout(run, effective), (timeoutSeconds) =>
        andThen(heartbeat(run, effective), (heartbeatSeconds) =>
          perform(run, resolved, timeoutSeconds, heartbeatSeconds).then((outcome) => {
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
            if (!outcome.replayed) {
              exec.emit(frame, succeeded, key(succeeded), { ...base, output: JSON.stringify(result), outputDetails: { truncated: false } });
            }
            frame.next = next();
            return pathTail ? finishJsonPath(run, 'Task', pathTail, result) : finishJsonata(run, 'Task', ataTail as NonNullable<typeof ataTail>, result);
          }),
        ),
      ),
    );
  };

  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Task', name, input);
      const effective = inputPath(input, run);
      return policy.run(run, 'Task', env.language, () => attempt(frame, run, effective));
    },
  };
}
