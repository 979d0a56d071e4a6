/**
 * What a drawing of a definition must contain, read straight from the ASL
 * (not from the graph model), so the format tests check the renderers
 * against the definition itself.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { State, StateMachineDefinition, SubMachine } from '../../src/asl/types.js';
import { REPO_ROOT } from '../helpers/cli.js';

export interface ExpectedEdge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'default' | 'catch' | 'start' | 'end';
  /** Choice rules: the variable the rule tests; catch: the errors. */
  mentions: string[];
}

export interface ExpectedStructure {
  states: string[];
  edges: ExpectedEdge[];
}

export function expectedStructure(definition: StateMachineDefinition): ExpectedStructure {
  const states: string[] = [];
  const edges: ExpectedEdge[] = [{ from: 'Start', to: definition.StartAt, kind: 'start', mentions: [] }];
  const walk = (machine: SubMachine | StateMachineDefinition, top: boolean) => {
    for (const [name, state] of Object.entries(machine.States) as Array<[string, State & Record<string, any>]>) {
      states.push(name);
      if (state.Type === 'Choice') {
        for (const rule of state.Choices) edges.push({ from: name, to: rule.Next!, kind: 'choice', mentions: variablesOf(rule) });
        if (state.Default) edges.push({ from: name, to: state.Default, kind: 'default', mentions: ['default'] });
      }
      if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next', mentions: [] });
      for (const catcher of state.Catch ?? []) edges.push({ from: name, to: catcher.Next, kind: 'catch', mentions: [catcher.ErrorEquals[0]] });
      if (top && (state.End || state.Type === 'Succeed' || state.Type === 'Fail')) edges.push({ from: name, to: 'End', kind: 'end', mentions: [] });
      for (const branch of state.Branches ?? []) walk(branch, false);
      if (state.ItemProcessor ?? state.Iterator) walk(state.ItemProcessor ?? state.Iterator, false);
    }
  };
  walk(definition, true);
  return { states, edges };
}

function variablesOf(rule: Record<string, any>): string[] {
  if (rule.Variable) return [rule.Variable];
  for (const key of ['And', 'Or']) if (Array.isArray(rule[key])) return variablesOf(rule[key][0]);
  if (rule.Not) return variablesOf(rule.Not);
  return [];
}

/** Our own definitions covering every construct, and every bundled template once the templates exist. */
export function definitionFiles(): string[] {
  const fixtures = path.join(REPO_ROOT, 'test/fixtures/graph');
  const files = readdirSync(fixtures).filter((file) => /\.asl\.(json|ya?ml)$/.test(file)).map((file) => path.join(fixtures, file));
  const templates = path.join(REPO_ROOT, 'templates');
  if (existsSync(templates)) files.push(...findDefinitions(templates));
  return files;
}

function findDefinitions(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findDefinitions(full));
    else if (/\.asl\.(json|ya?ml)$/.test(entry.name)) found.push(full);
  }
  return found;
}

/** A machine of `count` states: chains of Tasks with Choices, Catches and a Parallel every so often, as a big real one would have. */
export function generatedMachine(count: number): StateMachineDefinition {
  const States: Record<string, any> = {};
  const name = (index: number) => `Step${String(index).padStart(3, '0')}${index % 7 === 0 ? 'WithAFairlyLongDescriptiveName' : ''}`;
  for (let index = 0; index < count; index++) {
    const next = index + 1 < count ? name(index + 1) : undefined;
    const transition = next ? { Next: next } : { End: true };
    if (index % 10 === 5 && index + 3 < count) {
      States[name(index)] = {
        Type: 'Choice',
        Choices: [{ Variable: `$.flags.f${index}`, BooleanEquals: true, Next: name(index + 2) }],
        Default: next,
      };
    } else if (index % 25 === 12) {
      States[name(index)] = {
        Type: 'Parallel',
        Branches: [0, 1].map((branch) => ({
          StartAt: `B${index}x${branch}a`,
          States: { [`B${index}x${branch}a`]: { Type: 'Pass', Next: `B${index}x${branch}b` }, [`B${index}x${branch}b`]: { Type: 'Pass', End: true } },
        })),
        ...transition,
      };
    } else {
      States[name(index)] = {
        Type: 'Task',
        Resource: `arn:aws:lambda:us-east-1:123456789012:function:step-${index}`,
        ...(index % 9 === 3 ? { Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }] } : {}),
        ...(index % 15 === 4 && index + 5 < count ? { Catch: [{ ErrorEquals: ['States.ALL'], Next: name(index + 5) }] } : {}),
        ...transition,
      };
    }
  }
  return { StartAt: name(0), States };
}
