/**
 * Definition → closures. Every state becomes a CompiledState whose `run`
 * does no parsing; transitions are linked by reference. Compilation never
 * throws: every problem found is collected with its state path and field.
 */
import type { ChoiceState, FailState, JsonValue, MapState, ParallelState, PassState, QueryLanguage, State, SubMachine, SucceedState, TaskState, WaitState } from '../asl/types.js';
import type { CompiledState } from './execution.js';
import type { StateEnv } from './io.js';
import { compileChoice } from './states/choice.js';
import { compileFail } from './states/fail.js';
import { compileMap } from './states/map.js';
import { compileParallel } from './states/parallel.js';
import { compilePass } from './states/pass.js';
import { compileSucceed } from './states/succeed.js';
import { compileTask } from './states/task.js';
import { compileWait } from './states/wait.js';
import type { CompileProblem } from './types.js';

const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultPath', 'ResultSelector', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];
const TYPES = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);

export interface CompiledGraph {
  start: CompiledState | null;
}

/** Compiles the states of a machine, a Parallel branch or a Map processor. */
export function compileGraph(machine: SubMachine, path: string, inherited: QueryLanguage, problems: CompileProblem[], seenNames: Set<string>, warnings: CompileProblem[]): CompiledGraph {
  const graph: CompiledGraph = { start: null };
  if (machine === null || typeof machine !== 'object') {
    problems.push({ path, message: 'expected an object with StartAt and States' });
    return graph;
  }
  const language: QueryLanguage = machine.QueryLanguage ?? inherited;
  if (language !== 'JSONPath' && language !== 'JSONata') problems.push({ path, field: 'QueryLanguage', message: `QueryLanguage must be JSONPath or JSONata, not ${String(language)}` });
  const states = machine.States;
  if (states === null || typeof states !== 'object' || Array.isArray(states) || Object.keys(states).length === 0) {
    problems.push({ path, field: 'States', message: 'States must be a non-empty object' });
    return graph;
  }
  const compiled = new Map<string, CompiledState>();
  const pendingLinks: Array<() => void> = [];

  const makeLink = (statePath: string) => (target: string, field: string): (() => CompiledState | null) => {
    if (typeof target !== 'string') return () => null;
    let resolved: CompiledState | null = null;
    pendingLinks.push(() => {
      const found = compiled.get(target);
      if (!found) problems.push({ path: statePath, field, message: `no state named '${target}' in this scope` });
      resolved = found ?? null;
    });
    return () => resolved;
  };

  for (const [name, state] of Object.entries(states)) {
    const statePath = `${path ? `${path}.` : ''}States.${name}`;
    if (name.length === 0 || name.length > 80) problems.push({ path: statePath, message: 'state names must be 1 to 80 characters' });
    if (seenNames.has(name)) warnings.push({ path: statePath, message: `state name '${name}' is used more than once in this state machine` });
    seenNames.add(name);
    if (state === null || typeof state !== 'object' || !TYPES.has((state as State).Type)) {
      problems.push({ path: statePath, field: 'Type', message: `unknown state type ${JSON.stringify((state as State | null)?.Type)}` });
      continue;
    }
    const stateLanguage: QueryLanguage = state.QueryLanguage ?? language;
    if (language === 'JSONata' && state.QueryLanguage === 'JSONPath') problems.push({ path: statePath, field: 'QueryLanguage', message: 'a JSONPath state cannot be nested in a JSONata machine' });
    const env: StateEnv = { name, path: statePath, language: stateLanguage, problems, link: makeLink(statePath) };
    const record = state as unknown as Record<string, unknown>;
    for (const field of stateLanguage === 'JSONata' ? JSONPATH_ONLY : JSONATA_ONLY) {
      if (record[field] !== undefined) problems.push({ path: statePath, field, message: `${field} is not supported with QueryLanguage ${stateLanguage}` });
    }
    const next = transition(env, state);
    compiled.set(name, compileState(state, env, next, seenNames, warnings));
  }
  if (typeof machine.StartAt !== 'string' || !compiled.has(machine.StartAt)) {
    if (!(typeof machine.StartAt === 'string' && machine.StartAt in states)) problems.push({ path, field: 'StartAt', message: `StartAt '${String(machine.StartAt)}' is not a state of this scope` });
  }
  for (const link of pendingLinks) link();
  graph.start = compiled.get(machine.StartAt) ?? null;
  return graph;
}

function transition(env: StateEnv, state: State): () => CompiledState | null {
  if (state.Type === 'Choice' || state.Type === 'Succeed' || state.Type === 'Fail') {
    const record = state as unknown as Record<string, unknown>;
    if (record.Next !== undefined || record.End !== undefined) env.problems.push({ path: env.path, message: `a ${state.Type} state cannot have Next or End` });
    return () => null;
  }
  const hasNext = typeof state.Next === 'string';
  if (hasNext === (state.End === true)) env.problems.push({ path: env.path, message: 'a state needs exactly one of Next or "End": true' });
  return hasNext ? env.link(state.Next as string, 'Next') : () => null;
}

function compileState(state: State, env: StateEnv, next: () => CompiledState | null, seenNames: Set<string>, warnings: CompileProblem[]): CompiledState {
  switch (state.Type) {
    case 'Pass':
      return compilePass(state as PassState, env, next);
    case 'Task':
      return compileTask(state as TaskState, env, next);
    case 'Choice':
      return compileChoice(state as ChoiceState, env);
    case 'Wait':
      return compileWait(state as WaitState, env, next);
    case 'Succeed':
      return compileSucceed(state as SucceedState, env);
    case 'Fail':
      return compileFail(state as FailState, env);
    case 'Parallel': {
      const def = state as ParallelState;
      if (!Array.isArray(def.Branches) || def.Branches.length === 0) env.problems.push({ path: env.path, field: 'Branches', message: 'a Parallel state needs a non-empty Branches array' });
      const branches = (Array.isArray(def.Branches) ? def.Branches : []).map((branch, i) => {
        const graph = compileGraph(branch, `${env.path}.Branches[${i}]`, env.language, env.problems, seenNames, warnings);
        return () => graph.start;
      });
      return compileParallel(def, env, next, branches);
    }
    case 'Map': {
      const def = state as MapState;
      const processor = def.ItemProcessor ?? def.Iterator;
      const field = def.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      if (!processor) env.problems.push({ path: env.path, field: 'ItemProcessor', message: 'a Map state needs an ItemProcessor' });
      const graph = processor ? compileGraph(processor, `${env.path}.${field}`, env.language, env.problems, seenNames, warnings) : { start: null };
      const distributed = processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
      if (def.ItemReader && !distributed) env.problems.push({ path: env.path, field: 'ItemReader', message: 'ItemReader needs ProcessorConfig.Mode DISTRIBUTED' });
      return compileMap(def, env, next, { start: () => graph.start, distributed });
    }
    default:
      return { name: env.name, run: () => null as JsonValue };
  }
}
