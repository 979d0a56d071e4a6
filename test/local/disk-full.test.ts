/**
 * A failed write is never dropped: with the store full (SQLite's page limit
 * stands in for a full disk), a request that must write fails with an
 * AWS-style 500, a running execution pauses where its history was last
 * committed, and when space comes back it runs on with no gap in its history.
 */
import { CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator({ timeScale: 1 });
});
afterAll(() => t.close());

const WAITS = JSON.stringify({
  StartAt: 'Before',
  States: {
    Before: { Type: 'Pass', Next: 'Hold' },
    Hold: { Type: 'Wait', Seconds: 1, Next: 'After' },
    After: { Type: 'Pass', End: true },
  },
});

/** Fills the database to its page limit, as a full disk would. */
function fillStore(): () => void {
  const { db } = t.emulator.context.store;
  t.emulator.context.store.flush();
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  // Big rows, then smaller ones into what is left of each page: no room for anything.
  const fill = db.prepare('INSERT INTO meta (key, value) VALUES (?, zeroblob(?))');
  let i = 0;
  for (const size of [900, 200, 40, 1]) {
    for (;;) {
      try {
        fill.run(`fill-${i++}`, size);
      } catch {
        break;
      }
    }
  }
  return () => {
    db.prepare("DELETE FROM meta WHERE key LIKE 'fill-%'").run();
    db.pragma('max_page_count = 1073741823');
  };
}

describe('a full disk', () => {
  it('fails the request that must write with a 500, pauses the running execution and resumes it without a gap', async () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'full', definition: WAITS, roleArn: ROLE }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'held' }));
    for (let i = 0; i < 100; i++) {
      const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      if (events!.some((event) => event.type === 'WaitStateEntered')) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const free = fillStore();

    // Pages of the tables still have room for a few rows: executions start until one cannot be written.
    let refused: unknown;
    for (let i = 0; i < 500 && refused === undefined; i++) {
      await t.sfn.send(new StartExecutionCommand({ stateMachineArn, name: `filler-${i}` })).catch((error: unknown) => (refused = error));
    }
    expect(refused).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    // The Wait ends while the store is full: its events cannot be written, so the execution pauses.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const said = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('cannot write to the store'));
    expect(said).toHaveLength(1);

    free();
    const done = await finished(t.sfn, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map((event) => event.id)).toEqual(events!.map((_, i) => i + 1));
    expect(events!.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(stderr.mock.calls.some(([line]) => String(line).includes('work again'))).toBe(true);
    await t.sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'after' }));
    stderr.mockRestore();
  });
});
