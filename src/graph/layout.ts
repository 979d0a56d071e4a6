import type { ELK, ELKConstructorArguments, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cacheKey, cacheRead, cacheWrite, requireWithCodeCache } from '../code-cache.js';
import { shorten } from './choice-label.js';
import { visibleWidth } from '../ui/width.js';
import { explainCommand, formatDuration, type ExecutionSummary, type StateRun } from './execution.js';
import { describeRetry, describeType, type GraphEdge, type GraphGroup, type GraphModel, type GraphNode } from './model.js';

/**
 * Layered layout of a graph model by ELK (the Eclipse Layout Kernel, as elkjs):
 * states in layers top to bottom, Parallel branches and Map processors laid
 * out inside their state. The same code lays out pixels for SVG/HTML and
 * character cells for the terminal: only the metrics differ.
 */

export interface LayoutMetrics {
  /** Width of one character of label text. */
  charWidth: number;
  /** Height of one line of label text. */
  lineHeight: number;
  /** Space between the text and the border of a box, across and down. */
  padX: number;
  padY: number;
  /** Longest state name, type or retry line before it is shortened. */
  maxLabelChars: number;
  /** Longest edge label before it is shortened. */
  maxEdgeLabelChars: number;
  /** Size of the start and end markers. */
  marker: { width: number; height: number };
  nodeSpacing: number;
  layerSpacing: number;
  edgeSpacing: number;
}

export const PIXEL_METRICS: LayoutMetrics = {
  charWidth: 7.4,
  lineHeight: 16,
  padX: 12,
  padY: 8,
  maxLabelChars: 32,
  maxEdgeLabelChars: 28,
  marker: { width: 56, height: 26 },
  nodeSpacing: 28,
  layerSpacing: 36,
  edgeSpacing: 12,
};

/** One terminal cell per unit; boxes get their border from the padding. */
export function characterMetrics(maxLabelChars = 28, maxEdgeLabelChars = 22): LayoutMetrics {
  return {
    charWidth: 1,
    lineHeight: 1,
    padX: 2,
    padY: 1,
    maxLabelChars,
    maxEdgeLabelChars,
    marker: { width: 9, height: 1 },
    nodeSpacing: 3,
    layerSpacing: 3,
    edgeSpacing: 1,
  };
}

export interface Point {
  x: number;
  y: number;
}

export interface Rect extends Point {
  width: number;
  height: number;
}

export interface NodeBox extends Rect {
  node: GraphNode;
  /** Label lines, shortened to fit: name, type, retries, then what happened in the execution. */
  lines: string[];
  /** Parallel and Map states: a box around their branches; `lines` are its header. */
  compound: boolean;
  run?: StateRun;
}

export interface GroupBox extends Rect {
  group: GraphGroup;
}

export interface EdgeRoute {
  edge: GraphEdge;
  points: Point[];
  label?: Rect & { text: string };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  groups: GroupBox[];
  edges: EdgeRoute[];
}

const COMPACT_BELOW = 16;

/** The text of a state's box: name, then type, retries and the execution outcome. */
export function nodeLines(node: GraphNode, run: StateRun | undefined, execution: ExecutionSummary | undefined, max: number): string[] {
  if (node.kind !== 'state') return [node.name];
  const lines = [shorten(node.name, max)];
  // Tight on room (a big machine in a narrow terminal), the name says the most.
  if (max >= COMPACT_BELOW) {
    lines.push(shorten(describeType(node), max));
    for (const retry of node.retry) lines.push(shorten(describeRetry(retry), max));
  }
  if (execution) lines.push(shorten(describeRun(run), max));
  return lines;
}

export function describeRun(run: StateRun | undefined): string {
  if (!run) return '· not reached';
  const parts: string[] = [OUTCOME_LABEL[run.outcome]];
  if (run.durationMs !== undefined) parts.push(formatDuration(run.durationMs));
  if (run.attempts > run.entries) parts.push(`${run.attempts} attempts`);
  if (run.entries > 1) parts.push(`×${run.entries}`);
  return parts.join(' · ');
}

export const OUTCOME_LABEL: Record<StateRun['outcome'] | 'not-reached', string> = {
  succeeded: '✓ succeeded',
  retried: '↻ retried',
  caught: '⚠ caught',
  failed: '✗ failed',
  running: '… running',
  cancelled: '⊘ cancelled',
  'not-reached': '· not reached',
};

export interface LayoutOptions {
  /** Where laid-out graphs are kept between runs (src/code-cache.ts; its folder under the temp dir unless given). */
  cacheDir?: string;
}

export async function layoutGraph(
  model: GraphModel,
  metrics: LayoutMetrics,
  execution?: ExecutionSummary,
  options: LayoutOptions = {},
): Promise<GraphLayout> {
  const nodesById = new Map(model.nodes.map((node) => [node.id, node]));
  const groupsById = new Map(model.groups.map((group) => [group.id, group]));
  const lines = new Map<string, string[]>();
  for (const node of model.nodes) {
    lines.set(node.id, nodeLines(node, execution?.states[node.name], execution, metrics.maxLabelChars));
  }

  const textWidth = (text: string[]) => Math.max(...text.map((line) => visibleWidth(line))) * metrics.charWidth;
  const headerHeight = (id: string) => lines.get(id)!.length * metrics.lineHeight + metrics.padY * 2;
  const spacing = {
    'elk.spacing.nodeNode': String(metrics.nodeSpacing),
    'elk.layered.spacing.nodeNodeBetweenLayers': String(metrics.layerSpacing),
    'elk.spacing.edgeNode': String(metrics.edgeSpacing),
    'elk.spacing.edgeEdge': String(metrics.edgeSpacing),
    'elk.layered.spacing.edgeNodeBetweenLayers': String(metrics.edgeSpacing),
    'elk.layered.spacing.edgeEdgeBetweenLayers': String(metrics.edgeSpacing),
    'elk.spacing.edgeLabel': String(metrics.edgeSpacing),
    'elk.spacing.componentComponent': String(metrics.nodeSpacing),
  };

  // A Map state (or one-branch Parallel) holds its states directly; several branches get a box each.
  const containerOf = (groupId: string | undefined): string => {
    if (groupId === undefined) return 'root';
    const group = groupsById.get(groupId)!;
    const owner = nodesById.get(group.owner)!;
    return owner.groups.length === 1 ? owner.id : group.id;
  };

  const elkNodes = new Map<string, ElkNode>();
  // Every box is laid out on its own (its branches only link inside it), with the same options.
  const layered = {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.hierarchyHandling': 'SEPARATE_CHILDREN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
    'elk.edgeLabels.placement': 'CENTER',
    'elk.json.shapeCoords': 'ROOT',
    'elk.json.edgeCoords': 'ROOT',
    ...spacing,
  };
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      ...layered,
      'elk.padding': `[top=${metrics.edgeSpacing},left=${metrics.edgeSpacing},bottom=${metrics.edgeSpacing},right=${metrics.edgeSpacing}]`,
    },
    children: [],
    edges: [],
  };
  elkNodes.set('root', root);

  const compoundPadding = (top: number) =>
    `[top=${top},left=${metrics.padX},bottom=${metrics.padY * 2},right=${metrics.padX}]`;

  for (const node of model.nodes) {
    const text = lines.get(node.id)!;
    let elkNode: ElkNode;
    if (node.kind !== 'state') {
      elkNode = { id: node.id, width: metrics.marker.width, height: metrics.marker.height };
    } else if (node.groups.length > 0) {
      elkNode = {
        id: node.id,
        layoutOptions: {
          ...layered,
          'elk.padding': compoundPadding(headerHeight(node.id)),
          // Branches side by side, as they run, rather than packed as separate pieces.
          'elk.separateConnectedComponents': 'false',
        },
        children: [],
        edges: [],
        // The header must fit even when the branches are narrow.
        width: textWidth(text) + metrics.padX * 2,
      };
      elkNode.layoutOptions!['elk.nodeSize.minimum'] = `(${elkNode.width}, ${headerHeight(node.id)})`;
      elkNode.layoutOptions!['elk.nodeSize.constraints'] = 'MINIMUM_SIZE';
    } else {
      elkNode = { id: node.id, width: textWidth(text) + metrics.padX * 2, height: text.length * metrics.lineHeight + metrics.padY * 2 };
    }
    elkNodes.set(node.id, elkNode);
    if (node.groups.length > 1) {
      for (const groupId of node.groups) {
        const group = groupsById.get(groupId)!;
        const groupNode: ElkNode = {
          id: group.id,
          layoutOptions: {
            ...layered,
            'elk.padding': compoundPadding(metrics.lineHeight + metrics.padY),
            'elk.alignment': 'TOP',
            'elk.nodeSize.minimum': `(${visibleWidth(group.label) * metrics.charWidth + metrics.padX * 2}, ${metrics.lineHeight})`,
            'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          },
          children: [],
          edges: [],
        };
        elkNodes.set(group.id, groupNode);
        elkNode.children!.push(groupNode);
      }
    }
  }
  for (const node of reachOrder(model)) {
    const container = node.kind === 'state' ? containerOf(node.group) : 'root';
    elkNodes.get(container)!.children!.push(elkNodes.get(node.id)!);
  }

  // Loops are laid out as if reversed, so that the flow from the start reads top-down
  // and only the edge going back to an earlier state points up.
  const loops = loopEdges(model);
  for (const edge of model.edges) {
    const from = nodesById.get(edge.from)!;
    const container = from.kind === 'state' ? containerOf(from.group) : 'root';
    const reversed = loops.has(edge.id);
    const elkEdge: ElkExtendedEdge = { id: edge.id, sources: [reversed ? edge.to : edge.from], targets: [reversed ? edge.from : edge.to] };
    const text = edgeLabelText(edge, metrics.maxEdgeLabelChars);
    if (text) elkEdge.labels = [{ id: `${edge.id}l`, text, width: visibleWidth(text) * metrics.charWidth, height: metrics.lineHeight }];
    elkNodes.get(container)!.edges!.push(elkEdge);
  }

  const laidOut = await elkLayout(root, options.cacheDir);

  const result: GraphLayout = { width: laidOut.width ?? 0, height: laidOut.height ?? 0, nodes: [], groups: [], edges: [] };
  const edgesById = new Map(model.edges.map((edge) => [edge.id, edge]));
  const visit = (elkNode: ElkNode) => {
    for (const child of elkNode.children ?? []) {
      const rect = { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 };
      const node = nodesById.get(child.id);
      if (node) {
        result.nodes.push({ ...rect, node, lines: lines.get(node.id)!, compound: node.groups.length > 0, run: execution?.states[node.name] });
      } else {
        result.groups.push({ ...rect, group: groupsById.get(child.id)! });
      }
      visit(child);
    }
    for (const elkEdge of elkNode.edges ?? []) {
      const edge = edgesById.get(elkEdge.id)!;
      const points: Point[] = [];
      for (const section of elkEdge.sections ?? []) {
        if (points.length === 0) points.push(section.startPoint);
        points.push(...(section.bendPoints ?? []), section.endPoint);
      }
      if (loops.has(edge.id)) points.reverse();
      const label = elkEdge.labels?.[0];
      result.edges.push({
        edge,
        points,
        label: label ? { text: label.text ?? '', x: label.x ?? 0, y: label.y ?? 0, width: label.width ?? 0, height: label.height ?? 0 } : undefined,
      });
    }
  };
  visit(laidOut);
  return result;
}

const ELK_BUNDLE = 'elkjs/lib/elk.bundled.js';

/**
 * ELK's layout of `graph`, from the cache when this elkjs has laid out the
 * same graph before. ELK is deterministic (its layered algorithm seeds its
 * one random choice with a constant), so a graph it has laid out once needs
 * no second layout: in a run that draws a machine drawn before, that was
 * some 60 % of the CPU (ELK's code runs cold in every process, and V8
 * spends other threads compiling it). The key is the whole input graph
 * (every size, label and option) and which elkjs file lays it out, so a
 * changed definition, metric or elkjs is laid out afresh.
 */
async function elkLayout(graph: ElkNode, cacheDir?: string): Promise<ElkNode> {
  const elkFile = createRequire(import.meta.url).resolve(ELK_BUNDLE);
  let name: string | undefined;
  try {
    const stat = statSync(elkFile);
    name = `layout-${cacheKey(elkFile, String(stat.size), String(stat.mtimeMs), JSON.stringify(graph))}.json`;
  } catch {
    // No key, no cache: laid out below all the same.
  }
  if (name !== undefined) {
    const cached = cacheRead(name, cacheDir);
    if (cached !== undefined) {
      try {
        return JSON.parse(cached) as ElkNode;
      } catch {
        // Damaged: laid out again and written anew.
      }
    }
  }
  // elkjs is CommonJS (a 1.6 MB bundle): required, not imported, so the ESM loader does not scan it
  // for exports, and through V8's code cache, so that only the first run compiles it.
  const Elk = requireWithCodeCache(import.meta.url, ELK_BUNDLE) as new (args?: ELKConstructorArguments) => ELK;
  const laidOut = await new Elk().layout(graph);
  if (name !== undefined) cacheWrite(name, JSON.stringify(laidOut), cacheDir);
  return laidOut;
}

/** Edges that close a loop: depth first from the start (and from each branch start), an edge back to a state still on the path. */
function loopEdges(model: GraphModel): Set<string> {
  const outgoing = new Map<string, GraphModel['edges']>();
  for (const edge of model.edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
  const loops = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const roots = ['start', ...model.groups.map((group) => group.startAt), ...model.nodes.map((node) => node.id)];
  for (const root of roots) {
    if (!root || state.has(root)) continue;
    // Iterative, so that a long chain of states cannot overflow the stack.
    const stack: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const edges = outgoing.get(top.id) ?? [];
      if (top.next >= edges.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const edge = edges[top.next++];
      const seen = state.get(edge.to);
      if (seen === 'open') loops.add(edge.id);
      else if (!seen) {
        state.set(edge.to, 'open');
        stack.push({ id: edge.to, next: 0 });
      }
    }
  }
  return loops;
}

/** Nodes in the order an execution can reach them (breadth first from the start), then any unreachable ones. */
function reachOrder(model: GraphModel): GraphNode[] {
  const nodesById = new Map(model.nodes.map((node) => [node.id, node]));
  const groupsById = new Map(model.groups.map((group) => [group.id, group]));
  const outgoing = new Map<string, string[]>();
  for (const edge of model.edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge.to]);
  const seen = new Set<string>();
  const order: GraphNode[] = [];
  const queue = ['start'];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id) || !nodesById.has(id)) continue;
    seen.add(id);
    const node = nodesById.get(id)!;
    order.push(node);
    for (const groupId of node.groups) queue.push(groupsById.get(groupId)!.startAt);
    queue.push(...(outgoing.get(id) ?? []));
  }
  const rest = model.nodes.filter((node) => !seen.has(node.id) && node.kind === 'state');
  const end = model.nodes.filter((node) => !seen.has(node.id) && node.kind === 'end');
  return [...order.filter((node) => node.kind !== 'end'), ...rest, ...end, ...order.filter((node) => node.kind === 'end')];
}

/** The label drawn on an edge: the Choice rule, `default`, or `catch: Error, ...`. */
export function edgeLabelText(edge: GraphEdge, max: number): string | undefined {
  if (edge.kind === 'catch') return shorten(`catch ${edge.label ?? ''}`.trim(), max);
  if (edge.label) return shorten(edge.label, max);
  return undefined;
}

/** The lines printed under a drawing of an execution: what the colours mean, and where it failed. */
export function executionFooter(execution: ExecutionSummary): string[] {
  const lines = [`execution ${execution.status}${execution.executionArn ? `  ${execution.executionArn}` : ''}`];
  lines.push(`legend: ${(['succeeded', 'retried', 'caught', 'failed', 'not-reached'] as const).map((outcome) => OUTCOME_LABEL[outcome]).join('   ')}`);
  if (execution.failedState) {
    const run = execution.states[execution.failedState];
    lines.push(`✗ ${execution.failedState} failed${run?.error ? `: ${run.error}` : ''}`);
    lines.push(`  why and how to fix it: ${explainCommand(execution)}`);
  }
  return lines;
}
