import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { eventOwners } from '../../src/asl/history.js';

/** [id, previousEventId, type, state name] as AWS records a caught Parallel: its closing events follow its branches' last events. */
const CAUGHT_PARALLEL: [number, number, string, string?][] = [
  [1, 0, 'ExecutionStarted'],
  [2, 0, 'ParallelStateEntered', 'ChargeAndReserve'],
  [3, 2, 'ParallelStateStarted'],
  [4, 3, 'TaskStateEntered', 'ChargePayment'],
  [5, 3, 'TaskStateEntered', 'ReserveStock'],
  [6, 4, 'TaskScheduled'],
  [7, 5, 'TaskScheduled'],
  [8, 7, 'TaskSucceeded'],
  [9, 8, 'TaskStateExited', 'ReserveStock'],
  [10, 6, 'TaskFailed'],
  [11, 10, 'ParallelStateFailed'],
  [12, 11, 'ParallelStateExited', 'ChargeAndReserve'],
  [13, 12, 'TaskStateEntered', 'RefundPayment'],
  [14, 13, 'TaskScheduled'],
];

function history(rows: typeof CAUGHT_PARALLEL): HistoryEvent[] {
  return rows.map(([id, previousEventId, type, name]) => ({
    id,
    previousEventId,
    type,
    timestamp: new Date(0),
    ...(name && type.endsWith('Entered') ? { stateEnteredEventDetails: { name } } : {}),
    ...(name && type.endsWith('Exited') ? { stateExitedEventDetails: { name } } : {}),
  })) as HistoryEvent[];
}

describe('eventOwners', () => {
  it('gives a container its own closing events, even when they follow a branch’s failure', () => {
    const owners = eventOwners(history(CAUGHT_PARALLEL));
    expect(owners.get(10)).toBe(4); // ChargePayment's TaskFailed
    expect(owners.get(11)).toBe(2); // ParallelStateFailed: the Parallel's, not ChargePayment's
    expect(owners.get(12)).toBe(2); // and so is its exit
    expect(owners.get(9)).toBe(5);
    expect(owners.get(14)).toBe(13);
  });
});
