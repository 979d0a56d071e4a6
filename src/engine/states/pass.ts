import type { JsonValue, PassState } from '../../asl/types.js';
import type { CompiledState, Frame } from '../execution.js';
import type { JsonataTail, JsonPathTail, MaybePromise, PathStep, StateEnv, Template } from '../io.js';
import { compileJsonataTail, compileJsonPathTail, compilePathStep, compileTemplate, enter, finishJsonata, finishJsonPath } from '../io.js';

export function compilePass(def: PassState, env: StateEnv, next: () => CompiledState | null): CompiledState {
  const name = env.name;
  if (env.language === 'JSONata') {
    const tail: JsonataTail = compileJsonataTail(env, def);
    return {
      name,
      run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
        const run = enter(frame, 'Pass', name, input);
        frame.next = next();
        return finishJsonata(run, 'Pass', tail, input, false, true);
      },
    };
  }
  const inputPath: PathStep = compilePathStep(env, 'InputPath', def.InputPath);
  const parameters: Template | undefined = compileTemplate(env, 'Parameters', def.Parameters);
  const tail: JsonPathTail = compileJsonPathTail(env, def);
  const hasResult = def.Result !== undefined;
  const fixed = def.Result as JsonValue;
  return {
    name,
    run(frame: Frame, input: JsonValue): JsonValue {
      const run = enter(frame, 'Pass', name, input);
      let result = inputPath(input, run);
      const inspect = frame.exec.inspect;
      inspect?.('afterInputPath', result);
      if (hasResult) result = fixed;
      else if (parameters) {
        result = parameters(run.at(result)) as JsonValue;
        inspect?.('afterParameters', result);
      }
      inspect?.('result', result);
      frame.next = next();
      return finishJsonPath(run, 'Pass', tail, result, true);
    },
  };
}
