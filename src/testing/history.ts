/**
 * What a test asserts about an execution, read from its history: the states
 * entered in order, retries per state, transitions, final variables. All of
 * it comes from the one history index of src/asl/history.ts, so a test sees
 * the same entries, owners and attempts as logs, graph, explain and cost.
 */
import { historyValue, indexHistory, retriesByState, type HistoryIndex, type StateVisit } from '../asl/history.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { JsonValue } from '../asl/types.js';

export interface ExecutionFacts {
  /** Every state entry, in the order entered: the history index's visits. */
  entries: readonly StateVisit[];
  path: string[];
  retries: Record<string, number>;
  transitions: number;
  variables: Record<string, JsonValue>;
  index: HistoryIndex;
}

const parse = (text: unknown): JsonValue => historyValue(text) ?? null;

export function executionFacts(events: readonly HistoryEvent[]): ExecutionFacts {
  const index = indexHistory(events);
  const entries = index.visits;
  const variables: Record<string, JsonValue> = {};
  // In the order the states exited: a later assignment wins. Variables assigned in a
  // Map iteration or a Parallel branch are scoped to it (the index's visit.parent),
  // even when a state there has the name of a top-level one.
  for (const event of events) {
    if (!(event.type ?? '').endsWith('StateExited')) continue;
    const visit = index.visitOf(event);
    const assigned = event.stateExitedEventDetails?.assignedVariables;
    if (visit && !visit.parent && assigned) {
      for (const [name, value] of Object.entries(assigned)) variables[name] = parse(value);
    }
  }
  return { entries, path: entries.map((entry) => entry.name), retries: retriesByState(index), transitions: entries.length, variables, index };
}
