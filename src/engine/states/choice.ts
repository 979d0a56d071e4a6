import type { ChoiceRule, ChoiceState, JsonValue } from '../../asl/types.js';
import type { CompiledState, Frame } from '../execution.js';
import { isPromise } from '../execution.js';
import { compileChoiceRule } from '../expr.js';
import type { EvalScope } from '../expr.js';
import { StateFailure } from '../failure.js';
import type { AssignStep, MaybePromise, StateEnv, StateRun, Template } from '../io.js';
import { compileAssign, compileField, compilePathStep, compileTemplate, enter, exit, exitThroughTail } from '../io.js';
import { StatesErrors } from '../../asl/errors.js';

interface CompiledRule {
  test: (scope: EvalScope) => boolean | Promise<boolean>;
  next: () => CompiledState | null;
  assign?: AssignStep;
  output?: Template;
}

export function compileChoice(def: ChoiceState, env: StateEnv): CompiledState {
  const name = env.name;
  const jsonata = env.language === 'JSONata';
  if (!Array.isArray(def.Choices) || def.Choices.length === 0) env.problems.push({ path: env.path, field: 'Choices', message: 'a Choice state needs a non-empty Choices array' });
  const rules: CompiledRule[] = (Array.isArray(def.Choices) ? def.Choices : []).map((rule: ChoiceRule, i) => {
    const field = `Choices[${i}]`;
    if (typeof rule.Next !== 'string') env.problems.push({ path: env.path, field: `${field}.Next`, message: 'a top-level Choice rule needs Next' });
    const sub: StateEnv = { ...env, path: env.path };
    return {
      test: compileField(env, field, () => compileChoiceRule(rule, env.language)) ?? (() => false),
      next: env.link(rule.Next as string, `${field}.Next`),
      assign: compileAssign(sub, rule.Assign as never, `${field}.Assign`),
      output: compileTemplate(sub, `${field}.Output`, rule.Output as JsonValue | undefined),
    };
  });
  const fallback: CompiledRule | undefined =
    def.Default === undefined ? undefined : { test: () => true, next: env.link(def.Default, 'Default'), assign: compileAssign(env, def.Assign), output: compileTemplate(env, 'Output', def.Output) };
  const inputPath = jsonata ? undefined : compilePathStep(env, 'InputPath', def.InputPath);
  const outputPath = jsonata ? undefined : compilePathStep(env, 'OutputPath', def.OutputPath);

  /** `sameStep`: the rules were decided with nothing awaited since the state was entered (see Execution.emit). */
  const take = (frame: Frame, run: StateRun, rule: CompiledRule | undefined, effective: JsonValue, sameStep: boolean): MaybePromise<JsonValue> => {
    if (!rule) throw new StateFailure(StatesErrors.NoChoiceMatched, 'No Matches!');
    frame.next = rule.next();
    if (jsonata) {
      if (!rule.assign && !rule.output) return exit(run, 'Choice', run.rawInput, undefined, sameStep);
      return exitThroughTail(run, 'Choice', rule, run.statesScope(), run.rawInput, sameStep);
    }
    const assigned = rule.assign ? (rule.assign(run.at(effective)) as Record<string, JsonValue>) : undefined;
    return exit(run, 'Choice', (outputPath as NonNullable<typeof outputPath>)(effective, run), assigned, sameStep);
  };

  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Choice', name, input);
      const effective = inputPath ? inputPath(input, run) : input;
      if (!jsonata) frame.exec.inspect?.('afterInputPath', effective);
      const scope: EvalScope = jsonata ? run.statesScope() : run.at(effective);
      for (let i = 0; i < rules.length; i += 1) {
        const matched = rules[i].test(scope);
        if (isPromise<boolean>(matched)) return asyncRest(frame, run, i, matched, effective, scope);
        if (matched) return take(frame, run, rules[i], effective, true);
      }
      return take(frame, run, fallback, effective, true);
    },
  };

  async function asyncRest(frame: Frame, run: StateRun, from: number, first: Promise<boolean>, effective: JsonValue, scope: EvalScope): Promise<JsonValue> {
    if (await first) return take(frame, run, rules[from], effective, false);
    for (let i = from + 1; i < rules.length; i += 1) {
      if (await rules[i].test(scope)) return take(frame, run, rules[i], effective, false);
    }
    return take(frame, run, fallback, effective, false);
  }
}
