import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProject } from '../../src/testing/index.js';
import { replayCase, writeReplayCase } from '../../src/testing/replay.js';
import { runCase, prepareFiles } from '../../src/testing/runner.js';
import { tempDir } from '../helpers/cli.js';
import { SHOP, writeProject } from './project.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('deliv-testing-replay-')));
afterAll(() => cleanup());

const EXISTING = `# kept
cases:
  - name: small order # kept too
    input: { amount: 5 }
    states: { Pay: { mock: { return: { Payload: { amount: 5 } } } } }
    expect: { status: SUCCEEDED }
`;

describe('replay from a recorded history', () => {
  it('turns retries, a catch and the outcome into mocks and expectations that replay to the same end', async () => {
    const project = writeProject(path.join(dir, 'replay'), 'shop', SHOP, EXISTING);
    const [prepared] = prepareFiles(project, [path.join(project.root, 'tests', 'shop.test.yaml')]);
    // A "production" run: busy once, then declined.
    const recorded = await runCase(project, prepared, { name: 'prod', input: { amount: 7 }, states: { Pay: { mock: [{ throw: { error: 'Busy', cause: 'queue full' } }, { throw: { error: 'Declined', cause: 'no funds' } }] } } }, 0);
    const events: HistoryEvent[] = recorded.events;
    const testCase = replayCase(events, { executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:shop:run-1' });
    expect(testCase).toMatchObject({
      name: 'replay of run-1',
      input: { amount: 7 },
      context: { executionName: 'run-1' },
      states: { Pay: { mock: [{ throw: { error: 'Busy', cause: 'queue full' } }, { throw: { error: 'Declined', cause: 'no funds' } }] } },
      expect: { status: 'FAILED', error: 'PaymentFailed', cause: 'the payment failed', path: ['Pay', 'Refund', 'Failed'], retries: { Pay: 1 } },
    });
    const file = path.join(project.root, 'tests', 'shop.test.yaml');
    expect(writeReplayCase(file, testCase, 'shop')).toEqual({ file, created: false, replaced: false });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# kept\n');
    expect(text).toContain('small order # kept too');
    const outcome = await testProject(project);
    expect([outcome.run.passed, outcome.run.failed]).toEqual([2, 0]);
    // Recording it again replaces the case of the same name.
    expect(writeReplayCase(file, testCase, 'shop').replaced).toBe(true);
  });

  it('replays a task still running at the end as one that never answers', () => {
    const base = { timestamp: new Date('2026-01-01T00:00:00Z') };
    const events = [
      { ...base, id: 1, previousEventId: 0, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
      { ...base, id: 2, previousEventId: 1, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Slow', input: '{}' } },
      { ...base, id: 3, previousEventId: 2, type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } },
      { ...base, id: 4, previousEventId: 3, type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Stopped' } },
    ] as HistoryEvent[];
    const testCase = replayCase(events, { executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:shop:stopped' });
    expect(testCase.states).toEqual({ Slow: { mock: { never: true } } });
    expect(testCase.expect).toEqual({ status: 'ABORTED', error: 'Stopped', path: ['Slow'] });
  });
});
