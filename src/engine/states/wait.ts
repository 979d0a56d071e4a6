import type { JsonValue, WaitState } from '../../asl/types.js';
import type { CompiledState, Frame } from '../execution.js';
import { invalidPathCause, parseTimestamp } from '../expr.js';
import type { JsonataTail, MaybePromise, PathStep, StateEnv, StateRun, Template } from '../io.js';
import { compileAssign, compileJsonataTail, compilePathStep, compileReferenceField, compileTemplate, enter, exit, finishJsonata, runtimeError, andThen } from '../io.js';
import { StatesErrors } from '../../asl/errors.js';

/** Milliseconds since the epoch of an ISO-8601 extended offset date-time; NaN when the value is not one. */
export function timestampMillis(text: unknown): number {
  const parsed = typeof text === 'string' ? parseTimestamp(text) : undefined;
  return parsed ? parsed.seconds * 1000 + Math.floor(parsed.nanos / 1e6) : NaN;
}

export function compileWait(def: WaitState, env: StateEnv, next: () => CompiledState | null): CompiledState {
  const name = env.name;
  const jsonata = env.language === 'JSONata';
  const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((field) => (def as unknown as Record<string, unknown>)[field] !== undefined);
  if (given.length !== 1) env.problems.push({ path: env.path, message: 'a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath' });

  // Resolves the wait's end (ms since epoch) for one run.
  let until: (run: StateRun, effective: JsonValue) => MaybePromise<number>;
  if (def.Seconds !== undefined) {
    const seconds = def.Seconds;
    if (typeof seconds === 'number') {
      if (!Number.isInteger(seconds) || seconds < 0) env.problems.push({ path: env.path, field: 'Seconds', message: 'Seconds must be a non-negative integer' });
      until = (run) => run.enteredAt + seconds * 1000;
    } else {
      const template = compileTemplate(env, 'Seconds', seconds) as Template;
      until = (run) =>
        andThen(template(run.statesScope()), (value) => {
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
            throw runtimeError(`The Seconds field must be a non-negative integer, but was: ${JSON.stringify(value)}`, StatesErrors.QueryEvaluationError);
          }
          return run.enteredAt + value * 1000;
        });
    }
  } else if (def.Timestamp !== undefined) {
    const timestamp = def.Timestamp;
    const template = jsonata ? compileTemplate(env, 'Timestamp', timestamp) : undefined;
    if (!jsonata && Number.isNaN(timestampMillis(timestamp))) env.problems.push({ path: env.path, field: 'Timestamp', message: `not an ISO-8601 extended offset date-time: ${timestamp}` });
    until = (run) =>
      andThen(template ? template(run.statesScope()) : timestamp, (value) => {
        const at = timestampMillis(value);
        if (Number.isNaN(at)) {
          throw runtimeError(`The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${typeof value === 'string' ? value : JSON.stringify(value)}`, jsonata ? StatesErrors.QueryEvaluationError : StatesErrors.Runtime, 'Timestamp');
        }
        return at;
      });
  } else if (def.SecondsPath !== undefined) {
    const path = def.SecondsPath;
    const reference = compileReferenceField(env, 'SecondsPath', path);
    until = (run, effective) => {
      const value = reference ? reference(run.at(effective)) : undefined;
      if (value === undefined) throw runtimeError(invalidPathCause(path, effective));
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw runtimeError(`The SecondsPath parameter cannot be parsed as a long value: ${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
      if (value < 0) throw runtimeError(`The SecondsPath parameter references a negative value: ${path} == ${value}`);
      return run.enteredAt + value * 1000;
    };
  } else if (def.TimestampPath !== undefined) {
    const path = def.TimestampPath;
    const reference = compileReferenceField(env, 'TimestampPath', path);
    until = (run, effective) => {
      const value = reference ? reference(run.at(effective)) : undefined;
      if (value === undefined) throw runtimeError(invalidPathCause(path, effective));
      const at = timestampMillis(value);
      if (Number.isNaN(at)) throw runtimeError(`The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      return at;
    };
  } else until = (run) => run.enteredAt;

  const tail: JsonataTail | undefined = jsonata ? compileJsonataTail(env, def) : undefined;
  const inputPath: PathStep = compilePathStep(env, 'InputPath', jsonata ? undefined : def.InputPath);
  const outputPath: PathStep = compilePathStep(env, 'OutputPath', jsonata ? undefined : def.OutputPath);
  const assign = jsonata ? undefined : compileAssign(env, def.Assign);

  const finish = (run: StateRun, effective: JsonValue): MaybePromise<JsonValue> => {
    if (tail) return finishJsonata(run, 'Wait', tail, run.rawInput, false);
    const assigned = assign ? (assign(run.at(effective)) as Record<string, JsonValue>) : undefined;
    return exit(run, 'Wait', outputPath(effective, run), assigned);
  };

  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Wait', name, input);
      const effective = inputPath(input, run);
      if (!jsonata) frame.exec.inspect?.('afterInputPath', effective);
      frame.next = next();
      return andThen(until(run, effective), (end) => {
        const sleeping = frame.exec.sleep(frame, end - frame.exec.clock.now());
        return sleeping ? sleeping.then(() => finish(run, effective)) : finish(run, effective);
      });
    },
  };
}
