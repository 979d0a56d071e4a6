/**
 * Which state an execution failed in is one answer (the history index's
 * `failure`), whoever asks: `start --wait --json` and `logs` (executionOutcome),
 * `graph --execution` (summarizeExecution) and `explain` (the failure context).
 * Checked over every AWS-recorded history that did not succeed, since each of
 * these once had its own reading and they named different states.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { extractFailureContext } from '../../src/explain/context.js';
import { summarizeExecution } from '../../src/graph/execution.js';
import { executionOutcome } from '../../src/logs/format.js';
import { loadHistoryCases } from '../helpers/history-cases.js';

const failed = loadHistoryCases().filter((testCase) => testCase.expected.status === 'FAILED' || testCase.expected.status === 'TIMED_OUT');

describe('the state an execution failed in, over the AWS-recorded histories', () => {
  it('has failed histories to read', () => expect(failed.length).toBeGreaterThan(40));

  it.each(failed.map((testCase) => [testCase.id, testCase] as const))('%s: logs, graph and explain name the same state', (_id, testCase) => {
    const events = testCase.expected.events as unknown as HistoryEvent[];
    const explained = extractFailureContext(events, testCase.definition).failingState?.name;
    expect(explained).toBeDefined();
    expect(executionOutcome(events).failedState).toBe(explained);
    expect(summarizeExecution(events).failedState).toBe(explained);
  });

  it('names the Fail state a machine ends in (recording p013)', () => {
    const testCase = failed.find((candidate) => candidate.id.startsWith('p013-'))!;
    const events = testCase.expected.events as unknown as HistoryEvent[];
    expect(executionOutcome(events)).toMatchObject({ status: 'FAILED', error: 'SomeFailure', failedState: 'FailState' });
    expect(summarizeExecution(events).failedState).toBe('FailState');
  });
});
