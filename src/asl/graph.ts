/**
 * The shape of a definition as a graph: every state with its path (top level,
 * Parallel branches, Map item processors), each state's outgoing transitions
 * (Next, Choice rules, Default, Catch), reachability inside a block, and the
 * one `findState`. validate, cost's usage model, graph's model, explain,
 * `deliv test` and TestState read definitions through it.
 *
 * It reads raw JSON as readily as typed definitions: validate runs it on
 * definitions that are not valid yet, so every field is checked before use
 * and nothing here throws.
 */
import type { ChoiceRule, DefinitionPath, QueryLanguage, State, StateMachineDefinition, SubMachine } from './types.js';

export type TransitionKind = 'next' | 'choice' | 'default' | 'catch';

export interface Transition {
  kind: TransitionKind;
  target: string;
  /** Where the target is written, relative to the state: `['Next']`, `['Choices', 0, 'Next']`, `['Catch', 1, 'Next']`. */
  field: Array<string | number>;
  /** Choices and Catch: the index of the rule or catcher. */
  index?: number;
  /** Choice transitions: the rule. */
  rule?: ChoiceRule;
  /** Catch transitions: the error names caught. */
  errors?: string[];
}

/** One block of states that transitions stay within: the machine itself, a Parallel branch or a Map item processor. */
export interface Block {
  /** Path of the block in the definition (`[]` at the top, `['States', 'P', 'Branches', 0]`, `['States', 'M', 'ItemProcessor']`). */
  path: DefinitionPath;
  startAt: string | undefined;
  states: Record<string, State>;
  /** The state that encloses this block, undefined at the top. */
  owner: string | undefined;
  /** Names of the enclosing Parallel/Map states, outermost first. */
  enclosedBy: string[];
  /** The query language in force for the block's states unless they name their own. */
  queryLanguage: QueryLanguage;
}

export interface StateInfo {
  name: string;
  state: State;
  /** Path of the state in the definition: `['States', 'Charge']`, `['States', 'P', 'Branches', 0, 'States', 'Pack']`. */
  path: DefinitionPath;
  block: Block;
  /** The query language the state is evaluated in (its own, else its block's, else JSONPath). */
  queryLanguage: QueryLanguage;
  /** Names of the enclosing Parallel/Map states, outermost first. */
  enclosedBy: string[];
}

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => value !== null && typeof value === 'object' && !Array.isArray(value);
const language = (value: unknown, fallback: QueryLanguage): QueryLanguage => (value === 'JSONata' || value === 'JSONPath' ? value : fallback);

/** Every transition out of a state in definition order: Next, then Choice rules, Default, then Catch. */
export function transitionsOf(state: unknown): Transition[] {
  if (!isObject(state)) return [];
  const found: Transition[] = [];
  if (typeof state.Next === 'string') found.push({ kind: 'next', target: state.Next, field: ['Next'] });
  if (Array.isArray(state.Choices)) {
    state.Choices.forEach((rule: unknown, index) => {
      if (isObject(rule) && typeof rule.Next === 'string') found.push({ kind: 'choice', target: rule.Next, field: ['Choices', index, 'Next'], index, rule: rule as unknown as ChoiceRule });
    });
  }
  if (typeof state.Default === 'string') found.push({ kind: 'default', target: state.Default, field: ['Default'] });
  if (Array.isArray(state.Catch)) {
    state.Catch.forEach((catcher: unknown, index) => {
      if (!isObject(catcher) || typeof catcher.Next !== 'string') return;
      const errors = Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.filter((name): name is string => typeof name === 'string') : [];
      found.push({ kind: 'catch', target: catcher.Next, field: ['Catch', index, 'Next'], index, errors });
    });
  }
  return found;
}

/** The distinct states a state can go to, of the given kinds (all by default), in definition order. */
export function targetsOf(state: unknown, kinds?: readonly TransitionKind[]): string[] {
  const targets: string[] = [];
  for (const transition of transitionsOf(state)) {
    if (kinds && !kinds.includes(transition.kind)) continue;
    if (!targets.includes(transition.target)) targets.push(transition.target);
  }
  return targets;
}

/** The blocks nested directly in a state: a Parallel's branches, a Map's item processor (or legacy Iterator). */
export function nestedMachines(state: unknown): Array<{ machine: SubMachine; field: Array<string | number> }> {
  if (!isObject(state)) return [];
  const nested: Array<{ machine: SubMachine; field: Array<string | number> }> = [];
  if (Array.isArray(state.Branches)) {
    state.Branches.forEach((branch: unknown, index) => {
      if (isObject(branch)) nested.push({ machine: branch as unknown as SubMachine, field: ['Branches', index] });
    });
  }
  const key = isObject(state.ItemProcessor) ? 'ItemProcessor' : isObject(state.Iterator) ? 'Iterator' : undefined;
  if (key) nested.push({ machine: state[key] as SubMachine, field: [key] });
  return nested;
}

/** Every block of the definition, the machine itself first, then nested ones depth-first in definition order. */
export function blocksOf(definition: StateMachineDefinition | SubMachine | unknown): Block[] {
  const blocks: Block[] = [];
  const visit = (machine: Loose, path: DefinitionPath, owner: string | undefined, enclosedBy: string[], inherited: QueryLanguage): void => {
    const states = isObject(machine.States) ? (machine.States as Record<string, State>) : {};
    const queryLanguage = language(machine.QueryLanguage, inherited);
    blocks.push({ path, startAt: typeof machine.StartAt === 'string' ? machine.StartAt : undefined, states, owner, enclosedBy, queryLanguage });
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      const own = language(state.QueryLanguage, queryLanguage);
      for (const { machine: child, field } of nestedMachines(state)) visit(child as unknown as Loose, [...path, 'States', name, ...field], name, [...enclosedBy, name], own);
    }
  };
  if (isObject(definition)) visit(definition, [], undefined, [], 'JSONPath');
  return blocks;
}

/** Every state of the definition with its path, depth-first: each state, then the states nested in it. */
export function statesOf(definition: StateMachineDefinition | unknown): StateInfo[] {
  const out: StateInfo[] = [];
  const visit = (block: Block, blocks: Block[]): void => {
    for (const [name, state] of Object.entries(block.states)) {
      const path = [...block.path, 'States', name];
      out.push({ name, state, path, block, queryLanguage: language(isObject(state) ? state.QueryLanguage : undefined, block.queryLanguage), enclosedBy: block.enclosedBy });
      for (const child of blocks) if (child.owner === name && isPrefix(path, child.path)) visit(child, blocks);
    }
  };
  const blocks = blocksOf(definition);
  if (blocks.length > 0) visit(blocks[0], blocks.slice(1));
  return out;
}

/**
 * A state by name anywhere in the definition. State names are unique in a
 * whole state machine (AWS refuses duplicates), so the first one found is the
 * one; the shallowest wins when an invalid definition repeats a name.
 */
export function findState(definition: StateMachineDefinition | unknown, name: string): StateInfo | undefined {
  let best: StateInfo | undefined;
  for (const info of statesOf(definition)) {
    if (info.name === name && (!best || info.enclosedBy.length < best.enclosedBy.length)) best = info;
  }
  return best;
}

/** The states of a block that its StartAt leads to through Next, Choice, Default and Catch (transitions never leave a block). */
export function reachableStates(block: { startAt: string | undefined; states: Readonly<Record<string, unknown>> }): Set<string> {
  const reachable = new Set<string>();
  if (block.startAt === undefined || !(block.startAt in block.states)) return reachable;
  const queue = [block.startAt];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (reachable.has(name)) continue;
    reachable.add(name);
    for (const target of targetsOf(block.states[name])) if (target in block.states && !reachable.has(target)) queue.push(target);
  }
  return reachable;
}

function isPrefix(prefix: DefinitionPath, path: DefinitionPath): boolean {
  return prefix.length < path.length && prefix.every((segment, index) => path[index] === segment);
}
