import type { FailState, JsonValue } from '../../asl/types.js';
import type { CompiledState, Frame } from '../execution.js';
import { compilePayload } from '../expr.js';
import type { EvalScope } from '../expr.js';
import { StateFailure } from '../failure.js';
import type { MaybePromise, StateEnv, StateRun } from '../io.js';
import { compileField, compileTemplate, enter, runtimeError, andThen } from '../io.js';

type Reader = (run: StateRun) => MaybePromise<JsonValue | undefined>;

/** Error/Cause: a literal, a JSONata template, or (JSONPath) an `…Path` reference or intrinsic. */
function compileText(env: StateEnv, field: 'Error' | 'Cause', literal: string | undefined, path: string | undefined): Reader {
  if (literal !== undefined && path !== undefined) env.problems.push({ path: env.path, field, message: `${field} and ${field}Path are mutually exclusive` });
  if (path !== undefined && env.language === 'JSONPath') {
    const template = compileField(env, `${field}Path`, () => compilePayload({ 'value.$': path }, `${field}Path`));
    return (run) => {
      const value = template ? (template(run.at(run.rawInput)) as { value: JsonValue }).value : undefined;
      if (typeof value !== 'string') throw runtimeError(`The ${field}Path '${path}' did not resolve to a string: ${JSON.stringify(value)}`);
      return value;
    };
  }
  if (literal === undefined) return () => undefined;
  if (env.language === 'JSONata') {
    const template = compileTemplate(env, field, literal);
    return (run) => (template ? template(run.statesScope() as EvalScope) : literal);
  }
  return () => literal;
}

export function compileFail(def: FailState, env: StateEnv): CompiledState {
  const name = env.name;
  const error = compileText(env, 'Error', def.Error, def.ErrorPath);
  const cause = compileText(env, 'Cause', def.Cause, def.CausePath);
  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Fail', name, input);
      return andThen(error(run), (errorText) =>
        andThen(cause(run), (causeText): JsonValue => {
          throw new StateFailure(errorText as string | undefined, causeText as string | undefined);
        }),
      );
    },
  };
}
