/**
 * What every state shares: its compile environment, the per-run record (the
 * context object `$$`, built only when asked for), entering and exiting with
 * their history events, and the JSONPath / JSONata input-output steps.
 */
import type { HistoryEventType } from '@aws-sdk/client-sfn';
import type { JsonObject, JsonValue, QueryLanguage } from '../asl/types.js';
import { StatesError } from './errors.js';
import { StateFailure } from './failure.js';
import type { CompiledState, Frame } from './execution.js';
import { isPromise, StateRun } from './execution.js';

export { StateRun };
import { compileJsonataValue, compilePayload, compileResultPath as compileResultPathSetter } from './expr.js';
import type { EvalScope } from './expr.js';
import type { Reference } from './paths.js';
import { compileReference, requirePath } from './paths.js';
import { detailsOf } from '../asl/history.js';
import type { CompileProblem } from './types.js';
import { StatesErrors } from '../asl/errors.js';
import { overPayloadLimit, resultTooLargeCause } from '../asl/limits.js';

export type MaybePromise<T> = T | Promise<T>;

/** Applies `fn` to a value that may still be pending, without a promise when it is not. */
export function andThen<T, U>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise<T>(value) ? value.then(fn) : fn(value);
}

/** Compile-time surroundings of one state. */
export interface StateEnv {
  name: string;
  /** Path for problems, e.g. `States.Charge` or `States.Fan.Branches[0].States.Pay`. */
  path: string;
  language: QueryLanguage;
  problems: CompileProblem[];
  /** Resolves a state name of the same (sub-)machine, after all of them are compiled. */
  link(target: string, field: string): () => CompiledState | null;
}

/** Runs `build`, turning a compile-time exception into a problem for `field`. */
export function compileField<T>(env: StateEnv, field: string, build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    env.problems.push({ path: env.path, field, message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/** `inputDetails`/`outputDetails`: payloads are never truncated here, so every event shares one frozen object. */
export const NOT_TRUNCATED: { readonly truncated: false } = Object.freeze({ truncated: false });
const TRUNCATED_FALSE = (): { readonly truncated: false } => NOT_TRUNCATED;

const ENTERED: Record<string, HistoryEventType> = {};
const EXITED: Record<string, HistoryEventType> = {};
for (const type of ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']) {
  ENTERED[type] = `${type}StateEntered` as HistoryEventType;
  EXITED[type] = `${type}StateExited` as HistoryEventType;
}

export function enter(frame: Frame, type: string, name: string, input: JsonValue): StateRun {
  const exec = frame.exec;
  const after = frame.last;
  const id = exec.emit(frame, ENTERED[type], 'stateEnteredEventDetails', { name, input: exec.json(input), inputDetails: TRUNCATED_FALSE() }, exec.replayOf(frame) === null ? undefined : { name });
  const run = (frame.run ??= new StateRun(frame)).reset(type, name, input, id, after, exec.lastTimestamp, type === 'Task' || type === 'Parallel' || type === 'Map');
  frame.current = run;
  return run;
}

/**
 * Emits `…StateExited` and applies the state's variable assignments; when the
 * event is replayed from a resumed history, the recorded output and
 * assignments win over the recomputed ones.
 */
export function exit(run: StateRun, type: string, output: JsonValue, assigned?: Record<string, JsonValue>, sameStep = false): JsonValue {
  const frame = run.frame;
  const exec = frame.exec;
  const text = exec.json(output);
  // Over the payload quota the state fails before it exits, as AWS records it.
  if (overPayloadLimit(text)) throw new StateFailure(StatesErrors.DataLimitExceeded, resultTooLargeCause(run.name));
  const details: Record<string, unknown> = { name: run.name, output: text, outputDetails: TRUNCATED_FALSE() };
  // An empty Assign leaves no assignedVariables in the event, as on AWS.
  if (assigned !== undefined && Object.keys(assigned).length > 0) {
    const shown: Record<string, string> = {};
    for (const key in assigned) shown[key] = JSON.stringify(assigned[key]);
    details.assignedVariables = shown;
    details.assignedVariablesDetails = TRUNCATED_FALSE();
  }
  const replay = exec.replayOf(frame);
  exec.emit(frame, EXITED[type], 'stateExitedEventDetails', details, replay === null ? undefined : { name: run.name }, sameStep);
  const recorded = replay !== null && exec.replayed ? detailsOf(exec.replayed) : undefined;
  if (recorded) {
    if (typeof recorded.output === 'string') output = JSON.parse(recorded.output) as JsonValue;
    const vars = recorded.assignedVariables as Record<string, string> | undefined;
    if (vars) assigned = Object.fromEntries(Object.entries(vars).map(([key, text]) => [key, JSON.parse(text) as JsonValue]));
  }
  if (assigned !== undefined) for (const key in assigned) frame.vars[key] = assigned[key];
  return output;
}

// ---- JSONPath steps ------------------------------------------------------

export type PathStep = (value: JsonValue, run: StateRun) => JsonValue;

const identity: PathStep = (value) => value;
const emptyObject: PathStep = () => ({});

/** InputPath / OutputPath: `$` by default, `null` gives `{}`. */
export function compilePathStep(env: StateEnv, field: string, path: string | null | undefined): PathStep {
  if (path === undefined || path === '$') return identity;
  if (path === null) return emptyObject;
  const reference = compileField(env, field, () => compileReference(path));
  if (!reference) return identity;
  return (value, run) => {
    run.input = value;
    return requirePath(reference, path, run);
  };
}

export type ResultStep = (rawInput: JsonValue, result: JsonValue) => JsonValue;

export function compileResultPath(env: StateEnv, resultPath: string | null | undefined): ResultStep {
  if (resultPath === undefined || resultPath === '$') return (_raw, result) => result;
  if (resultPath === null) return (raw) => raw;
  if (typeof resultPath !== 'string') {
    env.problems.push({ path: env.path, field: 'ResultPath', message: 'ResultPath must be a string or null' });
    return (_raw, result) => result;
  }
  return compileField(env, 'ResultPath', () => compileResultPathSetter(resultPath)) ?? ((_raw, result) => result);
}

export type Template = (scope: EvalScope) => MaybePromise<JsonValue>;

/** A payload template in the state's language (Parameters/ResultSelector/ItemSelector in JSONPath, Arguments/Output/... in JSONata). */
export function compileTemplate(env: StateEnv, field: string, template: JsonValue | undefined, language = env.language): Template | undefined {
  if (template === undefined) return undefined;
  return compileField(env, field, () => (language === 'JSONata' ? compileJsonataValue(template, field) : compilePayload(template, field)));
}

export type AssignStep = (scope: EvalScope) => MaybePromise<Record<string, JsonValue>>;

export function compileAssign(env: StateEnv, assign: JsonObject | undefined, field = 'Assign'): AssignStep | undefined {
  if (assign === undefined) return undefined;
  if (assign === null || typeof assign !== 'object' || Array.isArray(assign)) {
    env.problems.push({ path: env.path, field, message: 'Assign must be an object' });
    return undefined;
  }
  const template = compileTemplate(env, field, assign);
  return template as AssignStep | undefined;
}

/** A JSONPath reference field such as SecondsPath, read against the effective input. */
export function compileReferenceField(env: StateEnv, field: string, path: string | undefined): Reference | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string') {
    env.problems.push({ path: env.path, field, message: `${field} must be a string` });
    return undefined;
  }
  return compileField(env, field, () => compileReference(path));
}

export function runtimeError(message: string, error: string = StatesErrors.Runtime, location?: string): StatesError {
  return new StatesError(error, message, location);
}


/** The tail every JSONPath state shares: ResultSelector, Assign, ResultPath, OutputPath, then the exit event. */
export interface JsonPathTail {
  resultSelector?: Template;
  assign?: AssignStep;
  resultPath: ResultStep;
  outputPath: PathStep;
}

export function compileJsonPathTail(env: StateEnv, def: { ResultSelector?: JsonValue; Assign?: JsonObject; ResultPath?: string | null; OutputPath?: string | null }): JsonPathTail {
  return {
    resultSelector: compileTemplate(env, 'ResultSelector', def.ResultSelector),
    assign: compileAssign(env, def.Assign),
    resultPath: compileResultPath(env, def.ResultPath),
    outputPath: compilePathStep(env, 'OutputPath', def.OutputPath),
  };
}

/** `sameStep`: nothing was awaited since the state's previous event (see Execution.emit). */
export function finishJsonPath(run: StateRun, type: string, tail: JsonPathTail, result: JsonValue, sameStep = false): JsonValue {
  const selected = tail.resultSelector ? (tail.resultSelector(run.at(result)) as JsonValue) : result;
  const assigned = tail.assign ? (tail.assign(run.at(selected)) as Record<string, JsonValue>) : undefined;
  const placed = tail.resultPath(run.rawInput, selected);
  const inspect = run.frame.exec.inspect;
  if (inspect) {
    inspect('afterResultSelector', selected);
    inspect('afterResultPath', placed);
  }
  const output = tail.outputPath(placed, run);
  return exit(run, type, output, assigned, sameStep);
}

/** The JSONata tail: Assign and Output see `$states.result`; Output defaults to the result. */
export interface JsonataTail {
  assign?: AssignStep;
  output?: Template;
}

export function compileJsonataTail(env: StateEnv, def: { Assign?: JsonObject; Output?: JsonValue }): JsonataTail {
  return { assign: compileAssign(env, def.Assign), output: compileTemplate(env, 'Output', def.Output) };
}

export function finishJsonata(run: StateRun, type: string, tail: JsonataTail, result: JsonValue, withResult = true, sameStep = false): MaybePromise<JsonValue> {
  if (!tail.assign && !tail.output) return exit(run, type, result, undefined, sameStep);
  return exitThroughTail(run, type, tail, run.statesScope(withResult ? { result } : undefined), result, sameStep);
}

/**
 * A JSONata state's (or Choice rule's) Assign, then its Output (`fallback`
 * without one), both in `scope`, then its exit. `sameStep` stands only when
 * neither awaited: after an await the exit reads the clock again.
 */
export function exitThroughTail(run: StateRun, type: string, tail: JsonataTail, scope: EvalScope, fallback: JsonValue, sameStep: boolean): MaybePromise<JsonValue> {
  const assigned = tail.assign ? tail.assign(scope) : undefined;
  if (isPromise<Record<string, JsonValue>>(assigned)) return assigned.then((vars) => andThen(tail.output ? tail.output(scope) : fallback, (output) => exit(run, type, output, vars)));
  const output = tail.output ? tail.output(scope) : fallback;
  if (isPromise<JsonValue>(output)) return output.then((value) => exit(run, type, value, assigned));
  return exit(run, type, output, assigned, sameStep);
}
