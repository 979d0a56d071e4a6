import { explainCommand, type ExecutionSummary } from './execution.js';
import { edgeLabelText, nodeLines } from './layout.js';
import type { GraphModel, GraphNode } from './model.js';
import { CATCH_COLOR, EDGE_COLOR, OUTCOME_COLORS, PLAIN_COLORS, UNCOVERED_COLORS } from './palette.js';

/**
 * Graphviz DOT. Parallel and Map states are clusters holding their header node
 * and their branches; edges to and from them are clipped at the cluster
 * border (`compound=true` with `lhead`/`ltail`).
 */

const LABEL_MAX = 60;

export function renderDot(model: GraphModel, execution?: ExecutionSummary, name = 'StateMachine'): string {
  const out: string[] = [
    `digraph ${quote(name)} {`,
    '  graph [rankdir=TB, compound=true, fontname="Helvetica", fontsize=11, nodesep=0.4, ranksep=0.5];',
    `  node [shape=box, style="rounded,filled", fillcolor="${PLAIN_COLORS.fill}", color="${PLAIN_COLORS.stroke}", fontname="Helvetica", fontsize=11];`,
    `  edge [color="${EDGE_COLOR}", fontname="Helvetica", fontsize=10];`,
  ];
  const nodesById = new Map(model.nodes.map((node) => [node.id, node]));
  const groupsById = new Map(model.groups.map((group) => [group.id, group]));

  const attributes = (node: GraphNode): string => {
    const label = nodeLines(node, execution?.states[node.name], execution, LABEL_MAX).join('\n');
    const explain = execution?.failedState === node.name ? explainCommand(execution) : undefined;
    const attrs: Record<string, string> = { label, tooltip: explain ? `${node.name}: failed here; why: ${explain}` : node.name };
    if (node.kind !== 'state') {
      Object.assign(attrs, { shape: 'circle', style: 'filled', fillcolor: '#202124', fontcolor: '#ffffff', color: '#202124', width: '0.6', fixedsize: 'true' });
    } else {
      if (node.type === 'Choice') attrs.shape = 'diamond';
      if (node.type === 'Fail') attrs.peripheries = '2';
      if (node.groups.length > 0) attrs.shape = 'box';
      if (execution) {
        const colors = OUTCOME_COLORS[execution.states[node.name]?.outcome ?? 'not-reached'];
        Object.assign(attrs, { fillcolor: colors.fill, color: colors.stroke, fontcolor: colors.text, penwidth: '2' });
      }
      if (node.uncovered) {
        Object.assign(attrs, { style: 'rounded,filled,dashed', fillcolor: UNCOVERED_COLORS.fill, color: UNCOVERED_COLORS.stroke, fontcolor: UNCOVERED_COLORS.text, penwidth: '2', tooltip: `${node.name}: not covered by any test case` });
      }
    }
    return list(attrs);
  };

  const writeNode = (node: GraphNode, indent: string) => {
    if (node.groups.length === 0) {
      out.push(`${indent}${quote(node.id)} [${attributes(node)}];`);
      return;
    }
    out.push(`${indent}subgraph ${quote(`cluster_${node.id}`)} {`, `${indent}  label=${quote(`${node.name} (${node.type})`)}; style="rounded"; color="${PLAIN_COLORS.stroke}";`);
    out.push(`${indent}  ${quote(node.id)} [${attributes(node)}];`);
    for (const groupId of node.groups) {
      const group = groupsById.get(groupId)!;
      out.push(`${indent}  subgraph ${quote(`cluster_${group.id}`)} {`, `${indent}    label=${quote(group.label)}; style="dashed"; color="#9aa0a6";`);
      for (const member of group.nodes) writeNode(nodesById.get(member)!, `${indent}    `);
      out.push(`${indent}  }`);
      // Keeps the header above its branches.
      if (group.startAt) out.push(`${indent}  ${quote(node.id)} -> ${quote(group.startAt)} [style=invis];`);
    }
    out.push(`${indent}}`);
  };

  for (const node of model.nodes) if (node.group === undefined) writeNode(node, '  ');
  for (const edge of model.edges) {
    const attrs: Record<string, string> = {};
    const label = edgeLabelText(edge, LABEL_MAX);
    if (label) attrs.label = label;
    if (edge.kind === 'catch') Object.assign(attrs, { style: 'dashed', color: CATCH_COLOR, fontcolor: CATCH_COLOR });
    if (edge.kind === 'default') attrs.style = 'bold';
    if (edge.uncovered) Object.assign(attrs, { style: 'dashed', color: UNCOVERED_COLORS.stroke, fontcolor: UNCOVERED_COLORS.stroke, penwidth: '2' });
    if (nodesById.get(edge.from)!.groups.length > 0) attrs.ltail = `cluster_${edge.from}`;
    if (nodesById.get(edge.to)!.groups.length > 0) attrs.lhead = `cluster_${edge.to}`;
    out.push(`  ${quote(edge.from)} -> ${quote(edge.to)}${Object.keys(attrs).length > 0 ? ` [${list(attrs)}]` : ''};`);
  }
  if (execution?.failedState) out.push(`  // ${execution.failedState} failed; why and how to fix it: ${explainCommand(execution)}`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function list(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join(', ');
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
