/**
 * Only boots that die right after resuming an execution count against it: a
 * clean stop (SIGTERM, `deliv local stop`) never does, however often.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/local/emulator.js';
import { RESUME_LIMIT, ResumeGuard } from '../../src/local/quarantine.js';
import { Store } from '../../src/local/store.js';
import { tempDir } from '../helpers/cli.js';

const workspace = tempDir('deliv-quarantine-');
afterAll(() => workspace.cleanup());

function client(endpoint: string): SFNClient {
  return new SFNClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

it('resumes an execution after any number of clean stops', async () => {
  let emulator = await startEmulator({ root: workspace.dir });
  let sfn = client(emulator.endpoint);
  const definition = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } });
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'patient', definition, roleArn: 'arn:aws:iam::123456789012:role/DelivLocalRole' }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
  for (let stops = 1; stops <= RESUME_LIMIT + 1; stops++) {
    sfn.destroy();
    await emulator.stop();
    emulator = await startEmulator({ root: workspace.dir });
    sfn = client(emulator.endpoint);
    expect(emulator.quarantined).toBe(0);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  }
  sfn.destroy();
  await emulator.stop();
});

describe('a resume the emulator did not survive', () => {
  // Each begin() without a clearAll() or settled() stands for a boot that died right after resuming (kill -9, a crash).
  const folder = tempDir('deliv-quarantine-guard-');
  const store = new Store(folder.dir);
  afterAll(() => {
    store.close();
    folder.cleanup();
  });

  it('counts against an execution that stayed at the same event, which is quarantined at the limit', () => {
    const guard = new ResumeGuard(store);
    const stuck = { arn: 'arn:aws:states:us-east-1:123456789012:execution:m:stuck', lastEventId: 7 };
    for (let crash = 1; crash <= RESUME_LIMIT; crash++) {
      expect(guard.sort([stuck]).poison).toEqual([]);
      guard.begin([stuck]);
    }
    // The next boot reads the counts back from the store.
    expect(new ResumeGuard(store).sort([stuck]).poison).toEqual([{ row: stuck, attempts: RESUME_LIMIT }]);
  });

  it('never counts against an execution that recorded events between the crashes (a busy emulator killed again and again)', () => {
    const guard = new ResumeGuard(store);
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:m:busy';
    for (let crash = 1; crash <= RESUME_LIMIT * 3; crash++) {
      const point = { arn, lastEventId: crash * 4 };
      expect(new ResumeGuard(store).sort([point])).toEqual({ resume: [point], poison: [] });
      guard.begin([point]);
    }
  });
});
