import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { detailsOf, errorOf, eventOwners, eventTime, indexHistory, retriesByState } from '../../src/asl/history.js';

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

/** A retried task inside a caught Parallel, as AWS chains it: one index answers every reader. */
function detailed(rows: [number, number, string, string?][], at = (id: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, id))): HistoryEvent[] {
  return history(rows).map((event) => ({
    ...event,
    timestamp: at(event.id ?? 0),
    ...(event.type === 'TaskFailed' ? { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Declined', cause: 'card' } } : {}),
  }));
}

describe('indexHistory', () => {
  const events = detailed([
    ...CAUGHT_PARALLEL.slice(0, 10),
    [15, 10, 'TaskScheduled'],
    [16, 15, 'TaskFailed'],
    [17, 16, 'ParallelStateFailed'],
    [18, 17, 'ParallelStateExited', 'ChargeAndReserve'],
    [19, 18, 'TaskStateEntered', 'RefundPayment'],
    [20, 19, 'ExecutionFailed'],
  ]);
  const index = indexHistory(events);
  const visit = (name: string) => index.visits.find((candidate) => candidate.name === name)!;

  it('gives every entry its events, attempts, failures and how long it ran', () => {
    expect(index.visits.map((candidate) => candidate.name)).toEqual(['ChargeAndReserve', 'ChargePayment', 'ReserveStock', 'RefundPayment']);
    expect(visit('ChargePayment')).toMatchObject({ type: 'Task', attempts: 2 });
    expect(visit('ChargePayment').exited).toBeUndefined();
    expect(visit('ChargePayment').failures.map((event) => event.id)).toEqual([10, 16]);
    expect(visit('ReserveStock').durationMs).toBe(4000);
    expect(visit('ChargeAndReserve').events.map((event) => event.type)).toEqual(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateFailed', 'ParallelStateExited']);
    expect(retriesByState(index)).toEqual({ ChargePayment: 1 });
  });

  it('knows which container each entry ran in', () => {
    expect(visit('ChargePayment').parent).toBe(visit('ChargeAndReserve'));
    expect(visit('ReserveStock').parent).toBe(visit('ChargeAndReserve'));
    expect(visit('RefundPayment').parent).toBeUndefined();
  });

  it('reads the execution’s end, and a redrive opens it again', () => {
    expect(index).toMatchObject({ status: 'FAILED', durationMs: 19_000 });
    expect(index.end?.id).toBe(20);
    const redriven = indexHistory([...events, { id: 21, previousEventId: 20, type: 'ExecutionRedriven', timestamp: new Date() } as HistoryEvent]);
    expect(redriven.status).toBe('RUNNING');
  });

  it('finds the details, time and error of an event whatever its type', () => {
    const failed = index.event(16)!;
    expect(detailsOf(failed)).toMatchObject({ error: 'Declined', cause: 'card' });
    expect(errorOf(failed)).toEqual({ error: 'Declined', cause: 'card' });
    expect(detailsOf(index.event(4)!)).toEqual({ name: 'ChargePayment' });
    expect(eventTime({ timestamp: 1.5 } as unknown as HistoryEvent)).toBe(1500);
    expect(eventTime({ timestamp: '2026-01-01T00:00:01Z' } as unknown as HistoryEvent)).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
  });
});

describe('the failure an execution ended with, and the state it failed in', () => {
  it('is the Fail state a machine ended in, with the execution’s error', () => {
    const events = history([
      [1, 0, 'ExecutionStarted'],
      [2, 1, 'ChoiceStateEntered', 'InStock'],
      [3, 2, 'ChoiceStateExited', 'InStock'],
      [4, 3, 'FailStateEntered', 'OutOfStock'],
      [5, 4, 'ExecutionFailed'],
    ]);
    events[4].executionFailedEventDetails = { error: 'Shop.OutOfStock', cause: 'no sku-1' };
    const { failure } = indexHistory(events);
    expect(failure).toMatchObject({ error: 'Shop.OutOfStock', cause: 'no sku-1', visit: { name: 'OutOfStock', type: 'Fail' } });
    expect(failure?.event.id).toBe(5);
  });

  it('is the branch state whose error failed the Parallel, not the Parallel', () => {
    const events = detailed([...CAUGHT_PARALLEL.slice(0, 11), [12, 11, 'ExecutionFailed']]);
    events[11].executionFailedEventDetails = { error: 'Declined', cause: 'card' };
    expect(indexHistory(events).failure?.visit?.name).toBe('ChargePayment');
  });

  it('is the innermost state still running when the machine’s TimeoutSeconds ran out', () => {
    const events = history([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'MapStateEntered', 'EachParcel'],
      [3, 2, 'MapStateStarted'],
      [4, 3, 'MapIterationStarted'],
      [5, 4, 'WaitStateEntered', 'Cooldown'],
      [6, 5, 'ExecutionTimedOut'],
    ]);
    expect(indexHistory(events).failure).toMatchObject({ error: 'States.Timeout', visit: { name: 'Cooldown' } });
  });

  it('is none while running or after success', () => {
    expect(indexHistory(history(CAUGHT_PARALLEL)).failure).toBeUndefined();
    expect(indexHistory(history([[1, 0, 'ExecutionStarted'], [2, 1, 'ExecutionSucceeded']])).failure).toBeUndefined();
  });
});
