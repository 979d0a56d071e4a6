import { transitionsOf } from '../asl/graph.js';
import { RETRY_DEFAULTS } from '../asl/retry.js';
import type { DefinitionPath, MapState, ParallelState, Retrier, State, StateMachineDefinition, StateType, SubMachine } from '../asl/types.js';
import { describeChoiceRule } from './choice-label.js';

/**
 * The graph of a state machine, independent of how it is drawn: one node per
 * state (plus start and end markers), one edge per transition, and the
 * Parallel branches and Map item processors as groups nested in their state.
 * Every renderer (Mermaid, DOT, ELK for SVG/HTML/terminal) reads this model.
 */

export type NodeKind = 'state' | 'start' | 'end';
export type EdgeKind = 'start' | 'next' | 'choice' | 'default' | 'catch' | 'end';

export interface RetrySummary {
  errors: string[];
  maxAttempts: number;
  intervalSeconds: number;
  backoffRate: number;
}

export interface GraphNode {
  /** Unique across the graph, safe as an identifier in DOT, Mermaid and HTML (`s1`, `s2`, ..., `start`, `end`). */
  id: string;
  kind: NodeKind;
  /** The state name (names may repeat only across separate branches, so the id is the key). */
  name: string;
  type?: StateType;
  /** The group this node sits in; undefined at the top level. */
  group?: string;
  /** Where the state sits in the definition, e.g. `['States', 'Fan', 'Branches', 0, 'States', 'Pay']`. */
  path: DefinitionPath;
  /** The state's definition, without its nested branches/processor (they are nodes of their own). */
  definition?: Record<string, unknown>;
  retry: RetrySummary[];
  /** Groups inside this state: Parallel branches, or the Map item processor. */
  groups: string[];
  /** The first state of the machine, or of its branch. */
  isStartAt: boolean;
  /** A state that ends its machine or branch (End: true, Succeed, Fail). */
  terminal: boolean;
  /** `graph --coverage`: no test case entered it. */
  uncovered?: boolean;
}

export interface GraphGroup {
  id: string;
  kind: 'branch' | 'processor';
  /** `Branch 1`, `Item processor`, ... */
  label: string;
  /** The Parallel or Map node that holds the group. */
  owner: string;
  nodes: string[];
  startAt: string;
  /** Map only: INLINE or DISTRIBUTED. */
  mode?: string;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** Full label: the Choice rule, `default`, or the caught error names. */
  label?: string;
  /** Catch edges: the error names caught. */
  errors?: string[];
  /** `graph --coverage`: no test case took it. */
  uncovered?: boolean;
}

export interface GraphModel {
  comment?: string;
  nodes: GraphNode[];
  groups: GraphGroup[];
  edges: GraphEdge[];
  /** Transitions to states that do not exist, and the like: the graph is still drawn. */
  warnings: string[];
}

export function buildGraphModel(definition: StateMachineDefinition): GraphModel {
  const model: GraphModel = { comment: definition.Comment, nodes: [], groups: [], edges: [], warnings: [] };
  let nextNodeNumber = 1;
  let nextEdgeNumber = 1;
  const addEdge = (edge: Omit<GraphEdge, 'id'>) => model.edges.push({ id: `e${nextEdgeNumber++}`, ...edge });

  model.nodes.push(marker('start'));
  const topIds = addMachine(definition, [], undefined);
  const startId = topIds.get(definition.StartAt);
  if (startId) addEdge({ from: 'start', to: startId, kind: 'start' });
  else model.warnings.push(`StartAt names \`${definition.StartAt}\`, which is not a state`);
  model.nodes.push(marker('end'));
  for (const node of model.nodes) {
    if (node.kind === 'state' && node.group === undefined && node.terminal) addEdge({ from: node.id, to: 'end', kind: 'end' });
  }
  return model;

  /** Adds the states of a machine or sub-machine; returns their name → node id. */
  function addMachine(machine: StateMachineDefinition | SubMachine, at: DefinitionPath, group: GraphGroup | undefined): Map<string, string> {
    const ids = new Map<string, string>();
    const states = machine.States && typeof machine.States === 'object' ? machine.States : {};
    for (const [name, state] of Object.entries(states)) {
      const node = stateNode(name, state, [...at, 'States', name], group?.id, name === machine.StartAt);
      ids.set(name, node.id);
      model.nodes.push(node);
      group?.nodes.push(node.id);
      addNested(node, state);
    }
    for (const [name, state] of Object.entries(states)) addTransitions(ids.get(name)!, state, ids, [...at, 'States', name]);
    if (group) group.startAt = ids.get(machine.StartAt) ?? '';
    return ids;
  }

  function addNested(node: GraphNode, state: State): void {
    if (state.Type === 'Parallel') {
      const branches = Array.isArray((state as ParallelState).Branches) ? (state as ParallelState).Branches : [];
      branches.forEach((branch, index) => {
        const group = newGroup(node, 'branch', `Branch ${index + 1}`);
        addMachine(branch, [...node.path, 'Branches', index], group);
      });
    } else if (state.Type === 'Map') {
      const map = state as MapState;
      const processor = map.ItemProcessor ?? map.Iterator;
      if (!processor) return;
      const key = map.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      const mode = processor.ProcessorConfig?.Mode ?? 'INLINE';
      const group = newGroup(node, 'processor', mode === 'DISTRIBUTED' ? 'Item processor (distributed)' : 'Item processor');
      group.mode = mode;
      addMachine(processor, [...node.path, key], group);
    }
  }

  function newGroup(owner: GraphNode, kind: GraphGroup['kind'], label: string): GraphGroup {
    const group: GraphGroup = { id: `${owner.id}g${owner.groups.length + 1}`, kind, label, owner: owner.id, nodes: [], startAt: '' };
    owner.groups.push(group.id);
    model.groups.push(group);
    return group;
  }

  function stateNode(name: string, state: State, path: DefinitionPath, group: string | undefined, isStartAt: boolean): GraphNode {
    const terminal = state.Type === 'Succeed' || state.Type === 'Fail' || (state as { End?: boolean }).End === true;
    return {
      id: `s${nextNodeNumber++}`,
      kind: 'state',
      name,
      type: state.Type,
      group,
      path,
      definition: withoutNestedMachines(state),
      retry: retrySummaries((state as { Retry?: Retrier[] }).Retry),
      groups: [],
      isStartAt,
      terminal,
    };
  }

  function addTransitions(from: string, state: State, ids: Map<string, string>, path: DefinitionPath): void {
    const to = (target: unknown, field: string): string | undefined => {
      if (typeof target !== 'string') return undefined;
      const id = ids.get(target);
      if (!id) model.warnings.push(`${[...path, field].join('.')}: \`${target}\` is not a state in the same scope`);
      return id;
    };
    for (const transition of transitionsOf(state)) {
      const target = to(transition.target, transition.field.join('.'));
      if (!target) continue;
      if (transition.kind === 'choice') addEdge({ from, to: target, kind: 'choice', label: describeChoiceRule(transition.rule!) });
      else if (transition.kind === 'default') addEdge({ from, to: target, kind: 'default', label: 'default' });
      else if (transition.kind === 'catch') addEdge({ from, to: target, kind: 'catch', label: transition.errors!.join(', '), errors: transition.errors });
      else addEdge({ from, to: target, kind: 'next' });
    }
  }
}

function marker(kind: 'start' | 'end'): GraphNode {
  return { id: kind, kind, name: kind === 'start' ? 'Start' : 'End', path: [], retry: [], groups: [], isStartAt: false, terminal: false };
}

function retrySummaries(retriers: Retrier[] | undefined): RetrySummary[] {
  if (!Array.isArray(retriers)) return [];
  return retriers.map((retrier) => ({
    errors: Array.isArray(retrier.ErrorEquals) ? retrier.ErrorEquals : [],
    maxAttempts: retrier.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts,
    intervalSeconds: retrier.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds,
    backoffRate: retrier.BackoffRate ?? RETRY_DEFAULTS.BackoffRate,
  }));
}

function withoutNestedMachines(state: State): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(state as unknown as Record<string, unknown>) };
  delete copy.Branches;
  delete copy.ItemProcessor;
  delete copy.Iterator;
  if (state.Type === 'Parallel') copy.Branches = `(${(state as ParallelState).Branches?.length ?? 0} branches, drawn inside)`;
  if (state.Type === 'Map') copy[(state as MapState).ItemProcessor ? 'ItemProcessor' : 'Iterator'] = '(drawn inside)';
  return copy;
}

/** `↻ 2× CarrierTimeoutError` per retrier, as shown on a state. */
export function describeRetry(retry: RetrySummary): string {
  return `↻ ${retry.maxAttempts}× ${retry.errors.join(', ')}`;
}

/** The state nodes of a model, by name; a name repeated across branches maps to every node. */
export function nodesByName(model: GraphModel): Map<string, GraphNode[]> {
  const byName = new Map<string, GraphNode[]>();
  for (const node of model.nodes) {
    if (node.kind !== 'state') continue;
    byName.set(node.name, [...(byName.get(node.name) ?? []), node]);
  }
  return byName;
}

/** How a state is described on a second line: its type, plus what the reader needs (Map concurrency, Wait time). */
export function describeType(node: GraphNode): string {
  const definition = node.definition ?? {};
  if (node.type === 'Map') {
    const concurrency = definition.MaxConcurrency;
    return concurrency !== undefined ? `Map · max ${String(concurrency)}` : 'Map';
  }
  if (node.type === 'Wait') {
    const wait = definition.Seconds ?? definition.Timestamp ?? definition.SecondsPath ?? definition.TimestampPath;
    return wait !== undefined ? `Wait ${typeof wait === 'number' ? `${wait}s` : String(wait)}` : 'Wait';
  }
  if (node.type === 'Task' && typeof definition.Resource === 'string') {
    const kind = definition.Resource.endsWith('.waitForTaskToken') ? 'Callback' : definition.Resource.endsWith('.sync') ? 'Sync task' : 'Task';
    const payload = (definition.Parameters ?? definition.Arguments) as Record<string, unknown> | undefined;
    const functionName = payload && typeof payload === 'object' ? payload.FunctionName : undefined;
    if (/:states:::lambda:invoke/.test(definition.Resource) && typeof functionName === 'string') {
      const name = /:function:([^:]+)/.exec(functionName)?.[1] ?? functionName;
      return `${kind} · λ ${name}`;
    }
    return `${kind} · ${shortResource(definition.Resource.replace(/\.(waitForTaskToken|sync(:2)?)$/, ''))}`;
  }
  return node.type ?? node.name;
}

/** `arn:aws:states:::lambda:invoke` → `lambda:invoke`; a Lambda ARN → `λ name`. */
export function shortResource(resource: string): string {
  const lambda = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(resource);
  if (lambda) return `λ ${lambda[1]}`;
  const integration = /^arn:[^:]+:states:::(.+)$/.exec(resource);
  if (integration) return integration[1];
  return resource.replace(/^arn:[^:]+:/, '');
}
