import { explainCommand, type ExecutionSummary, type StateOutcome } from './execution.js';
import { edgeLabelText, nodeLines } from './layout.js';
import type { GraphModel, GraphNode } from './model.js';
import { OUTCOME_COLORS, UNCOVERED_COLORS } from './palette.js';

/**
 * Mermaid flowchart text (GitHub, GitLab and most wikis render it): Parallel
 * and Map states as subgraphs, Catch edges dotted, states classed by outcome.
 */

/** Mermaid reserves `end`; the markers get ids no state can have. */
const MARKER_IDS: Record<string, string> = { start: '__start', end: '__end' };
const LABEL_MAX = 60;

export function renderMermaid(model: GraphModel, execution?: ExecutionSummary): string {
  const out: string[] = ['flowchart TD'];
  const id = (nodeId: string) => MARKER_IDS[nodeId] ?? nodeId;
  const nodesById = new Map(model.nodes.map((node) => [node.id, node]));
  const groupsById = new Map(model.groups.map((group) => [group.id, group]));

  const writeNode = (node: GraphNode, indent: string) => {
    const text = nodeLines(node, execution?.states[node.name], execution, LABEL_MAX).map(escape).join('<br/>');
    if (node.groups.length > 0) {
      out.push(`${indent}subgraph ${id(node.id)}["${text}"]`, `${indent}  direction TB`);
      for (const groupId of node.groups) {
        const group = groupsById.get(groupId)!;
        const inner = node.groups.length > 1 ? `${indent}    ` : `${indent}  `;
        if (node.groups.length > 1) out.push(`${indent}  subgraph ${group.id}["${escape(group.label)}"]`, `${indent}    direction TB`);
        for (const member of group.nodes) writeNode(nodesById.get(member)!, inner);
        if (node.groups.length > 1) out.push(`${indent}  end`);
      }
      out.push(`${indent}end`);
      return;
    }
    out.push(`${indent}${id(node.id)}${shape(node, text)}`);
  };

  for (const node of model.nodes) if (node.group === undefined) writeNode(node, '  ');
  for (const edge of model.edges) {
    const label = edgeLabelText(edge, LABEL_MAX);
    const arrow = edge.kind === 'catch' ? '-.->' : edge.kind === 'default' ? '==>' : '-->';
    out.push(`  ${id(edge.from)} ${arrow}${label ? `|"${escape(label)}"|` : ''} ${id(edge.to)}`);
  }

  out.push('  classDef marker fill:#202124,stroke:#202124,color:#ffffff');
  out.push(`  class ${MARKER_IDS.start},${MARKER_IDS.end} marker`);
  if (execution) {
    const byOutcome = new Map<StateOutcome, string[]>();
    for (const node of model.nodes) {
      if (node.kind !== 'state') continue;
      const outcome = execution.states[node.name]?.outcome ?? 'not-reached';
      byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), node.id]);
    }
    for (const [outcome, ids] of byOutcome) {
      const colors = OUTCOME_COLORS[outcome];
      const className = outcome.replace('-', '_');
      out.push(`  classDef ${className} fill:${colors.fill},stroke:${colors.stroke},color:${colors.text},stroke-width:2px`);
      out.push(`  class ${ids.join(',')} ${className}`);
    }
  }
  const uncoveredNodes = model.nodes.filter((node) => node.uncovered).map((node) => id(node.id));
  if (uncoveredNodes.length > 0) {
    out.push(`  classDef uncovered fill:${UNCOVERED_COLORS.fill},stroke:${UNCOVERED_COLORS.stroke},color:${UNCOVERED_COLORS.text},stroke-width:2px,stroke-dasharray:5 3`);
    out.push(`  class ${uncoveredNodes.join(',')} uncovered`);
  }
  // Mermaid styles links by their position in the list above.
  const uncoveredLinks = model.edges.flatMap((edge, index) => (edge.uncovered ? [index] : []));
  if (uncoveredLinks.length > 0) out.push(`  linkStyle ${uncoveredLinks.join(',')} stroke:${UNCOVERED_COLORS.stroke},stroke-width:2px,stroke-dasharray:3 3`);
  if (execution?.failedState) out.push(`  %% ${execution.failedState} failed; why and how to fix it: ${explainCommand(execution)}`);
  return `${out.join('\n')}\n`;
}

function shape(node: GraphNode, text: string): string {
  if (node.kind !== 'state') return `(("${text}"))`;
  switch (node.type) {
    case 'Choice':
      return `{"${text}"}`;
    case 'Succeed':
    case 'Fail':
      return `(["${text}"])`;
    default:
      return `["${text}"]`;
  }
}

/** Mermaid labels are quoted; quotes and angle brackets go in as its `#name;` entities. */
function escape(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
