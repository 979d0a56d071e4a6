import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { formatDuration, summarizeExecution } from '../../src/graph/execution.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** A copy of test/fixtures/aws/sfn-get-execution-history-failed.json beside the graph fixtures it is drawn with. */
const FAILED_HISTORY = path.join(REPO_ROOT, 'test/fixtures/graph/history-failed.json');

describe('summarizeExecution on an AWS history of a failed execution', () => {
  const events = (JSON.parse(readFileSync(FAILED_HISTORY, 'utf8')) as { events: HistoryEvent[] }).events;
  const summary = summarizeExecution(events, { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:dispatch:1' });

  it('finds the failed state, its error and the execution status', () => {
    expect(summary.status).toBe('FAILED');
    expect(summary.failedState).toBe('BookShipment');
    expect(summary.states.BookShipment).toMatchObject({ outcome: 'failed', error: 'AddressValidationError', attempts: 1 });
    expect(summary.states.BookShipment.cause).toContain("Postcode 'SW1A 9ZZ' does not match city 'Leeds'");
  });

  it('tells a caught error after a retry from a plain success', () => {
    expect(summary.states.QuoteCarrier).toMatchObject({ outcome: 'caught', attempts: 2, error: 'CarrierTimeoutError' });
    expect(summary.states.NormalizeOrder).toMatchObject({ outcome: 'succeeded', attempts: 1 });
    expect(summary.states.QuoteFallbackCarrier).toMatchObject({ outcome: 'succeeded', attempts: 1 });
  });

  it('times each state from the history timestamps (epoch seconds in raw JSON)', () => {
    expect(summary.states.NormalizeOrder.durationMs).toBe(9);
    expect(summary.states.QuoteCarrier.durationMs).toBe(12348);
    // A failed state runs until the execution stops.
    expect(summary.states.BookShipment.durationMs).toBe(501);
    expect(summary.durationMs).toBe(13716);
  });

  it('keeps each state input and output for the HTML panel', () => {
    expect(JSON.parse(summary.states.QuoteFallbackCarrier.output!).quote.carrier).toBe('fallback-express');
    expect(JSON.parse(summary.states.BookShipment.input!).orderId).toBe('7f3c2a91');
    expect(summary.states.BookShipment.output).toBeUndefined();
  });

  it('leaves states the execution never entered out', () => {
    expect(Object.keys(summary.states).sort()).toEqual(['BookShipment', 'NormalizeOrder', 'QuoteCarrier', 'QuoteFallbackCarrier']);
  });
});

/** Builds a history the way Step Functions links it: each event names the one before it on its own branch. */
function history(build: (add: (type: string, after: number | undefined, details?: Partial<HistoryEvent>) => number) => void): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const start = Date.UTC(2026, 0, 5, 11, 30);
  build((type, after, details = {}) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: after ?? id - 1, type: type as HistoryEvent['type'], timestamp: new Date(start + id * 100), ...details });
    return id;
  });
  return events;
}
const entered = (name: string) => ({ stateEnteredEventDetails: { name, input: '{}' } });
const exited = (name: string) => ({ stateExitedEventDetails: { name, output: '{}' } });

describe('summarizeExecution on parallel branches, retries and Map iterations', () => {
  it('blames the failing branch state, fails its Parallel, and cancels the sibling branch', () => {
    const events = history((add) => {
      add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
      const parallel = add('ParallelStateEntered', undefined, entered('Fan'));
      const started = add('ParallelStateStarted', parallel);
      const pay = add('TaskStateEntered', started, entered('Pay'));
      const pack = add('TaskStateEntered', started, entered('Pack'));
      const paySched = add('TaskScheduled', pay);
      const packSched = add('TaskScheduled', pack);
      add('TaskFailed', paySched, { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Card.Declined', cause: 'insufficient funds' } });
      add('TaskStateAborted', packSched);
      add('ParallelStateFailed', undefined);
      add('ExecutionFailed', undefined, { executionFailedEventDetails: { error: 'Card.Declined', cause: 'insufficient funds' } });
    });
    const summary = summarizeExecution(events);
    expect(summary.failedState).toBe('Pay');
    expect(summary.states.Pay).toMatchObject({ outcome: 'failed', error: 'Card.Declined' });
    expect(summary.states.Pack.outcome).toBe('cancelled');
    expect(summary.states.Fan.outcome).toBe('failed');
  });

  it('marks a state that succeeded after retries as retried, with its attempts', () => {
    const events = history((add) => {
      add('ExecutionStarted', 0);
      add('TaskStateEntered', undefined, entered('Quote'));
      add('TaskScheduled', undefined);
      add('TaskFailed', undefined, { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Timeout' } });
      add('TaskScheduled', undefined);
      add('TaskFailed', undefined, { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Timeout' } });
      add('TaskScheduled', undefined);
      add('TaskSucceeded', undefined);
      add('TaskStateExited', undefined, exited('Quote'));
      add('SucceedStateEntered', undefined, entered('Done'));
      add('SucceedStateExited', undefined, exited('Done'));
      add('ExecutionSucceeded', undefined, { executionSucceededEventDetails: { output: '{"ok":true}' } });
    });
    const summary = summarizeExecution(events);
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.failedState).toBeUndefined();
    expect(summary.states.Quote).toMatchObject({ outcome: 'retried', attempts: 3, entries: 1, error: 'Timeout', durationMs: 700 });
    expect(summary.states.Done.outcome).toBe('succeeded');
  });

  it('adds up a state run once per Map iteration, and attributes each iteration to its Map', () => {
    const events = history((add) => {
      add('ExecutionStarted', 0);
      const map = add('MapStateEntered', undefined, entered('EachItem'));
      const started = add('MapStateStarted', map);
      let last = started;
      for (const index of [0, 1, 2]) {
        const iteration = add('MapIterationStarted', last, { mapIterationStartedEventDetails: { name: 'EachItem', index } });
        const pick = add('TaskStateEntered', iteration, entered('Pick'));
        add('TaskScheduled', pick);
        add('TaskSucceeded', undefined);
        const out = add('TaskStateExited', undefined, exited('Pick'));
        last = add('MapIterationSucceeded', out);
      }
      add('MapStateSucceeded', last);
      add('MapStateExited', undefined, exited('EachItem'));
      add('ExecutionSucceeded', undefined);
    });
    const summary = summarizeExecution(events);
    expect(summary.states.Pick).toMatchObject({ outcome: 'succeeded', entries: 3, attempts: 3 });
    expect(summary.states.EachItem).toMatchObject({ outcome: 'succeeded', entries: 1, attempts: 1 });
  });

  it('shows the state still running in a running execution', () => {
    const events = history((add) => {
      add('ExecutionStarted', 0);
      add('WaitStateEntered', undefined, entered('Cooldown'));
    });
    const summary = summarizeExecution(events);
    expect(summary.status).toBe('RUNNING');
    expect(summary.states.Cooldown.outcome).toBe('running');
    expect(summary.failedState).toBeUndefined();
  });

  it('blames the Fail state a machine ends in, with the execution error', () => {
    const events = history((add) => {
      add('ExecutionStarted', 0);
      add('ChoiceStateEntered', undefined, entered('InStock'));
      add('ChoiceStateExited', undefined, exited('InStock'));
      add('FailStateEntered', undefined, entered('OutOfStock'));
      add('ExecutionFailed', undefined, { executionFailedEventDetails: { error: 'OutOfStock', cause: 'no stock left' } });
    });
    const summary = summarizeExecution(events);
    expect(summary.failedState).toBe('OutOfStock');
    expect(summary.states.OutOfStock).toMatchObject({ outcome: 'failed', error: 'OutOfStock', cause: 'no stock left' });
    expect(summary.states.InStock.outcome).toBe('succeeded');
  });
});

describe('formatDuration', () => {
  it.each([
    [9, '9ms'],
    [1234, '1.234s'],
    [12_348, '12.3s'],
    [125_000, '2m05s'],
  ])('%d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
