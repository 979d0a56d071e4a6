/**
 * `deliv graph --coverage`: what a test run left uncovered, marked on the
 * model so every picture format draws it (dashed, in the uncovered colour)
 * from the same data. The graph knows nothing of tests: the overlay is names.
 */
import type { EdgeKind, GraphModel } from './model.js';

export interface CoverageOverlay {
  /** States no case entered. */
  states: string[];
  /** Transitions no case took; `kind` narrows a Choice rule, a Default or a catcher to its own edge. */
  edges: { from: string; to: string; kind?: Exclude<EdgeKind, 'start' | 'end'> }[];
  /** Lines under the drawing: the figures, and what is left. */
  footer: string[];
}

/** Marks the overlay's states and edges on the model (node names map to ids; names repeat only across branches, as coverage counts them). */
export function markUncovered(model: GraphModel, overlay: CoverageOverlay): GraphModel {
  const states = new Set(overlay.states);
  const nameOf = new Map(model.nodes.map((node) => [node.id, node.name]));
  for (const node of model.nodes) if (node.kind === 'state' && states.has(node.name)) node.uncovered = true;
  for (const edge of model.edges) {
    if (edge.kind === 'start' || edge.kind === 'end') {
      // The way in and out of a state nobody reached is as uncovered as the state.
      const state = edge.kind === 'start' ? nameOf.get(edge.to) : nameOf.get(edge.from);
      if (state !== undefined && states.has(state)) edge.uncovered = true;
      continue;
    }
    const from = nameOf.get(edge.from);
    const to = nameOf.get(edge.to);
    if (overlay.edges.some((missed) => missed.from === from && missed.to === to && (missed.kind === undefined || missed.kind === edge.kind))) edge.uncovered = true;
  }
  return model;
}
