import type { JsonValue, SucceedState } from '../../asl/types.js';
import type { CompiledState, Frame } from '../execution.js';
import type { MaybePromise, StateEnv } from '../io.js';
import { compileJsonataTail, compilePathStep, enter, exit, finishJsonata } from '../io.js';

export function compileSucceed(def: SucceedState, env: StateEnv): CompiledState {
  const name = env.name;
  if (env.language === 'JSONata') {
    const tail = compileJsonataTail(env, def);
    return {
      name,
      run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
        const run = enter(frame, 'Succeed', name, input);
        frame.next = null;
        return finishJsonata(run, 'Succeed', tail, input, false, true);
      },
    };
  }
  const inputPath = compilePathStep(env, 'InputPath', def.InputPath);
  const outputPath = compilePathStep(env, 'OutputPath', def.OutputPath);
  return {
    name,
    run(frame: Frame, input: JsonValue): JsonValue {
      const run = enter(frame, 'Succeed', name, input);
      frame.next = null;
      return exit(run, 'Succeed', outputPath(inputPath(input, run), run), undefined, true);
    },
  };
}
