/**
 * What a test asserts about an execution, read from its history: the states
 * entered in order, retries per state, transitions, final variables. All of
 * it comes from the one history index of src/asl/history.ts, so a test sees
 * the same entries, owners and attempts as logs, graph, explain and cost.
 */
import { indexHistory, retriesByState, type HistoryIndex, type StateVisit } from '../asl/history.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { JsonValue } from '../asl/types.js';

export interface StateEntry {
  name: string;
  type: string;
  enteredId: number;
  input: JsonValue;
  /** Events owned by this entry, in order (the StateEntered event first). */
  events: HistoryEvent[];
  /** Its StateExited event, when it left the state. */
  exitedId?: number;
  visit: StateVisit;
}

export interface ExecutionFacts {
  entries: StateEntry[];
  path: string[];
  retries: Record<string, number>;
  transitions: number;
  variables: Record<string, JsonValue>;
  index: HistoryIndex;
}

function parse(text: unknown): JsonValue {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

export function executionFacts(events: readonly HistoryEvent[], topLevelStates: ReadonlySet<string> = new Set()): ExecutionFacts {
  const index = indexHistory(events);
  const entries = index.visits.map((visit): StateEntry => ({
    name: visit.name,
    type: visit.type,
    enteredId: visit.entered.id ?? 0,
    input: parse(visit.entered.stateEnteredEventDetails?.input),
    events: visit.events,
    exitedId: visit.exited?.id,
    visit,
  }));
  const variables: Record<string, JsonValue> = {};
  // In the order the states exited: a later assignment wins.
  for (const event of events) {
    if (!(event.type ?? '').endsWith('StateExited')) continue;
    const visit = index.visitOf(event);
    const assigned = event.stateExitedEventDetails?.assignedVariables;
    // Variables of Map iterations and Parallel branches are scoped to them; the end state is the top level's.
    if (visit && assigned && (topLevelStates.size === 0 || topLevelStates.has(visit.name))) {
      for (const [name, value] of Object.entries(assigned)) variables[name] = parse(value);
    }
  }
  return { entries, path: entries.map((entry) => entry.name), retries: retriesByState(index), transitions: entries.length, variables, index };
}
