/**
 * What a test asserts about an execution, read from its history: the states
 * entered in order, retries per state, transitions, final variables. Events
 * belong to the state entry their `previousEventId` chain leads back to, as in
 * AWS histories. Kept to what `deliv test` needs, so that it can move onto the
 * shared history index of src/asl once that exists.
 */
import { eventOwners } from '../asl/history.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { JsonValue } from '../asl/types.js';

export interface StateEntry {
  name: string;
  type: string;
  enteredId: number;
  input: JsonValue;
  /** Events owned by this entry, in order (the StateEntered event first). */
  events: HistoryEvent[];
  /** The state this entry moved to, when the next entry's chain leads back here. */
  exitedId?: number;
}

export interface ExecutionFacts {
  entries: StateEntry[];
  path: string[];
  retries: Record<string, number>;
  transitions: number;
  variables: Record<string, JsonValue>;
}

const ATTEMPT_STARTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ParallelStateStarted', 'MapStateStarted', 'ActivityScheduled']);

export function details(event: HistoryEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Record<string, unknown>;
  return {};
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
  const owners = eventOwners(events);
  const entries: StateEntry[] = [];
  const byEntered = new Map<number, StateEntry>();
  const variables: Record<string, JsonValue> = {};
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) {
      const info = details(event);
      const entry: StateEntry = { name: String(info.name), type: type.slice(0, -'StateEntered'.length), enteredId: event.id ?? 0, input: parse(info.input), events: [event] };
      entries.push(entry);
      byEntered.set(entry.enteredId, entry);
      continue;
    }
    const owner = byEntered.get(owners.get(event.id ?? 0) ?? 0);
    if (!owner) continue;
    owner.events.push(event);
    if (type.endsWith('StateExited')) {
      owner.exitedId = event.id;
      const assigned = details(event).assignedVariables as Record<string, string> | undefined;
      // Variables of Map iterations and Parallel branches are scoped to them; the end state is the top level's.
      if (assigned && (topLevelStates.size === 0 || topLevelStates.has(owner.name))) {
        for (const [name, value] of Object.entries(assigned)) variables[name] = parse(value);
      }
    }
  }
  const retries: Record<string, number> = {};
  for (const entry of entries) {
    const attempts = entry.events.filter((event) => ATTEMPT_STARTS.has(event.type ?? '')).length;
    if (attempts > 1) retries[entry.name] = (retries[entry.name] ?? 0) + attempts - 1;
  }
  return { entries, path: entries.map((entry) => entry.name), retries, transitions: entries.length, variables };
}
