import type { JsonValue, ParallelState } from '../../asl/types.js';
import type { CompiledState, Frame } from '../execution.js';
import { CancelScope, isPromise, runChain } from '../execution.js';
import { Cancelled } from '../failure.js';
import type { MaybePromise, StateEnv, StateRun } from '../io.js';
import { compileJsonataTail, compileJsonPathTail, compilePathStep, compileTemplate, enter, finishJsonata, finishJsonPath, andThen } from '../io.js';
import { runPool } from '../pool.js';
import { ErrorPolicy } from '../retry.js';

export function compileParallel(def: ParallelState, env: StateEnv, next: () => CompiledState | null, branches: Array<() => CompiledState | null>): CompiledState {
  const name = env.name;
  const jsonata = env.language === 'JSONata';
  const inputPath = compilePathStep(env, 'InputPath', jsonata ? undefined : def.InputPath);
  const parameters = jsonata ? compileTemplate(env, 'Arguments', def.Arguments) : compileTemplate(env, 'Parameters', def.Parameters);
  const pathTail = jsonata ? undefined : compileJsonPathTail(env, def);
  const ataTail = jsonata ? compileJsonataTail(env, def) : undefined;
  const policy = new ErrorPolicy(env, def.Retry, def.Catch);

  const attempt = (frame: Frame, run: StateRun, branchInput: JsonValue): MaybePromise<JsonValue> => {
    const exec = frame.exec;
    exec.emit(frame, 'ParallelStateStarted', 'parallelStateStartedEventDetails', undefined);
    const startedId = frame.last;
    const scope = new CancelScope(frame.scope);
    const results: JsonValue[] = new Array<JsonValue>(branches.length);
    // As AWS links the events: ParallelStateFailed follows the failing branch's last event,
    // ParallelStateSucceeded the last event of the branch that finished last.
    let chain = startedId;
    const runBranch = (index: number): MaybePromise<void> => {
      const start = branches[index]() as CompiledState;
      const child = frame.child(scope, startedId);
      const ended = (): void => {
        if (!scope.reason) chain = child.last;
      };
      let output: MaybePromise<JsonValue>;
      try {
        output = runChain(child, start, branchInput);
      } catch (error) {
        ended();
        throw error;
      }
      return andThen(
        isPromise<JsonValue>(output)
          ? output.then(undefined, (error: unknown) => {
              ended();
              throw error;
            })
          : output,
        (value) => {
          ended();
          results[index] = value;
        },
      );
    };
    const failed = (error: unknown): never => {
      const failure = run.fail(error);
      if (failure instanceof Cancelled) throw failure;
      scope.cancel(new Cancelled('sibling-failed'));
      scope.dispose();
      frame.last = chain;
      // ParallelStateFailed itself is written once the failure is not retried (see `run`).
      throw failure;
    };
    const succeeded = (): MaybePromise<JsonValue> => {
      scope.dispose();
      frame.last = chain;
      const before = frame.last;
      exec.emit(frame, 'ParallelStateSucceeded', 'parallelStateSucceededEventDetails', undefined);
      frame.last = before;
      frame.next = next();
      return pathTail ? finishJsonPath(run, 'Parallel', pathTail, results) : finishJsonata(run, 'Parallel', ataTail as NonNullable<typeof ataTail>, results);
    };
    let pending: MaybePromise<void>;
    try {
      pending = runPool(branches.length, 0, runBranch);
    } catch (error) {
      return failed(error);
    }
    return pending instanceof Promise ? pending.then(succeeded, failed) : succeeded();
  };

  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Parallel', name, input);
      const effective = inputPath(input, run);
      return policy.run(
        run,
        'Parallel',
        env.language,
        () => andThen(jsonata ? (parameters ? parameters(run.statesScope()) : input) : parameters ? parameters(run.at(effective)) : effective, (branchInput) => attempt(frame, run, branchInput)),
        () => frame.exec.emit(frame, 'ParallelStateFailed', 'parallelStateFailedEventDetails', undefined),
      );
    },
  };
}
