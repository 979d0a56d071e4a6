/**
 * The facts a test asserts on, read from a history: variables are the top
 * level's, scoped by where each state ran (the history index's visit.parent),
 * not by its name.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { executionFacts } from '../../src/testing/history.js';

/** [id, previousEventId, type, state name, assigned variables] as AWS chains a Map whose iteration state shares a top-level state's name. */
function history(rows: [number, number, string, string?, Record<string, string>?][]): HistoryEvent[] {
  return rows.map(([id, previousEventId, type, name, assigned]) => ({
    id,
    previousEventId,
    type,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, id)),
    ...(name && type.endsWith('Entered') ? { stateEnteredEventDetails: { name, input: '{}' } } : {}),
    ...(name && type.endsWith('Exited') ? { stateExitedEventDetails: { name, output: '{}', ...(assigned ? { assignedVariables: assigned } : {}) } } : {}),
  })) as HistoryEvent[];
}

describe('executionFacts', () => {
  const events = history([
    [1, 0, 'ExecutionStarted'],
    [2, 1, 'PassStateEntered', 'Pick'],
    [3, 2, 'PassStateExited', 'Pick', { carrier: '"DHL"' }],
    [4, 3, 'MapStateEntered', 'EachParcel'],
    [5, 4, 'MapStateStarted'],
    [6, 5, 'MapIterationStarted'],
    // The iteration's own `Pick`: its assignment is the iteration's, not the machine's.
    [7, 6, 'PassStateEntered', 'Pick'],
    [8, 7, 'PassStateExited', 'Pick', { carrier: '"UPS"', inner: '1' }],
    [9, 8, 'MapIterationSucceeded'],
    [10, 9, 'MapStateSucceeded'],
    [11, 10, 'MapStateExited', 'EachParcel', { parcels: '2' }],
    [12, 11, 'ExecutionSucceeded'],
  ]);

  it('keeps only the top level’s variables, even from a nested state with a top-level name', () => {
    expect(executionFacts(events).variables).toEqual({ carrier: 'DHL', parcels: 2 });
  });

  it('lists every entry in order, with the path tests assert on', () => {
    const facts = executionFacts(events);
    expect(facts.path).toEqual(['Pick', 'EachParcel', 'Pick']);
    expect(facts.entries[2].parent?.name).toBe('EachParcel');
  });
});
