import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { countBillableTransitions, measureExecution, summarizeExecutions } from '../../src/cost/usage/measured.js';
import { awsFixture } from '../helpers/corpus.js';

/** Builds a history the way Step Functions chains it: ids in order, each event pointing at the one before it in its thread. */
function history(build: (add: (type: string, details?: Partial<HistoryEvent>, previous?: number) => number) => void): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const add = (type: string, details: Partial<HistoryEvent> = {}, previous?: number) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: previous ?? id - 1, type: type as HistoryEvent['type'], timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, id)), ...details });
    return id;
  };
  build(add);
  return events;
}

const entered = (type: string, name: string) => [`${type}StateEntered`, { stateEnteredEventDetails: { name } }] as const;
const exited = (type: string, name: string) => [`${type}StateExited`, { stateExitedEventDetails: { name } }] as const;
const scheduled = (functionName: string) =>
  ['TaskScheduled', { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: JSON.stringify({ FunctionName: functionName }) } }] as const;

describe('billable transitions of a recorded history', () => {
  it('counts states entered plus retries in the failed-execution fixture', () => {
    const { events } = awsFixture<{ events: HistoryEvent[] }>('sfn-get-execution-history-failed.json');
    // Entered: NormalizeOrder, QuoteCarrier, QuoteFallbackCarrier, BookShipment = 4; QuoteCarrier was retried once.
    const measured = measureExecution(events);
    expect(measured.transitions).toBe(4 + 1);
    expect(measured.retries).toBe(1);
    expect(measured.calls).toEqual({ 'lambda:quote-carrier': 2, 'lambda:quote-fallback-carrier': 1, 'lambda:book-shipment': 1 });
    expect(measured.durationMs).toBeGreaterThan(0);
  });
});

describe('billable transitions of constructed histories', () => {
  it('counts a Map state once and each iteration’s states, not the iterations themselves', () => {
    const events = history((add) => {
      add('ExecutionStarted', {}, 0);
      add(...entered('Map', 'Pack'));
      const started = add('MapStateStarted');
      for (let index = 0; index < 3; index++) {
        const iteration = add('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Pack', index } }, started);
        add(...entered('Pass', 'Weigh'), iteration);
        add(...exited('Pass', 'Weigh'));
        add('MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: 'Pack', index } });
      }
      add('MapStateSucceeded');
      add(...exited('Map', 'Pack'));
      add('ExecutionSucceeded');
    });
    expect(countBillableTransitions(events)).toBe(1 + 3);
  });

  it('counts each Parallel branch state, and a retried Parallel once more', () => {
    const events = history((add) => {
      add('ExecutionStarted', {}, 0);
      const parallel = add(...entered('Parallel', 'Both'));
      for (let attempt = 0; attempt < 2; attempt++) {
        const started = add('ParallelStateStarted', {}, attempt === 0 ? parallel : undefined);
        const a = add(...entered('Task', 'Charge'), started);
        add(...scheduled('charge'), a);
        add('TaskStarted');
        add(attempt === 0 ? 'TaskFailed' : 'TaskSucceeded');
        add(...exited('Task', 'Charge'));
        add(...entered('Pass', 'Reserve'), started);
        add(...exited('Pass', 'Reserve'));
        add(attempt === 0 ? 'ParallelStateFailed' : 'ParallelStateSucceeded');
      }
      add(...exited('Parallel', 'Both'));
      add('ExecutionSucceeded');
    });
    // Both entered once; Charge and Reserve entered on each of the two attempts; one retry of Both.
    const measured = measureExecution(events);
    expect(measured.transitions).toBe(1 + 2 * 2 + 1);
    expect(measured.retries).toBe(1);
    expect(measured.calls).toEqual({ 'lambda:charge': 2 });
  });

  it('counts a redrive and the states it reruns', () => {
    const events = history((add) => {
      add('ExecutionStarted', {}, 0);
      add(...entered('Task', 'Ship'));
      add(...scheduled('ship'));
      add('TaskFailed');
      add('ExecutionFailed');
      add('ExecutionRedriven');
      add(...entered('Task', 'Ship'));
      add(...scheduled('ship'));
      add('TaskSucceeded');
      add(...exited('Task', 'Ship'));
      add('ExecutionSucceeded');
    });
    expect(countBillableTransitions(events)).toBe(2 + 1);
  });

  it('averages several executions into min / expected / max', () => {
    const run = (states: number) =>
      history((add) => {
        add('ExecutionStarted', {}, 0);
        for (let index = 0; index < states; index++) {
          add(...entered('Pass', `S${index}`));
          add(...exited('Pass', `S${index}`));
        }
        add('ExecutionSucceeded');
      });
    const summary = summarizeExecutions([run(3), run(5), run(7)]);
    expect(summary).toMatchObject({ executions: 3, transitions: { min: 3, expected: 5, max: 7 } });
    expect(summarizeExecutions([])).toBeUndefined();
  });
});
