/**
 * Only boots that die right after resuming an execution count against it: a
 * clean stop (SIGTERM, `deliv local stop`) never does, however often.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, expect, it } from 'vitest';
import { startEmulator } from '../../src/local/emulator.js';
import { RESUME_LIMIT } from '../../src/local/quarantine.js';
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
