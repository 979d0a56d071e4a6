/**
 * A poison execution cannot brick the data dir: an execution whose resume
 * took the emulator down three boots in a row is failed (States.Runtime, with
 * the reason) on the next start instead of being resumed again; the emulator
 * serves, and `deliv local status` lists it.
 */
import { spawn } from 'node:child_process';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from '../helpers/cli.js';

const WAITS = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } };

let workspace: { dir: string; cleanup: () => void };

beforeAll(() => {
  workspace = tempDir('deliv-e2e-quarantine-');
});

afterAll(async () => {
  await runCli(['local', 'stop'], { cwd: workspace.dir });
  workspace.cleanup();
});

/**
 * `deliv local start` in the foreground; `crash()` ends it as a crash (or a
 * hang ended by kill -9) does: no shutdown at all. The crashes come right
 * after each start; a generous window keeps a slow machine from counting the
 * boot as survived first.
 */
async function boot(): Promise<{ sfn: SFNClient; crash(): Promise<void>; output: string }> {
  const child = spawn(process.execPath, [BIN, 'local', 'start', '--port', '0'], {
    cwd: workspace.dir,
    env: { ...process.env, DELIV_RESUME_HEALTHY_MS: '60000', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) resolve(listening[1]);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const sfn = new SFNClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return {
    sfn,
    // What it printed so far: the resume (and its quarantine line) comes after "listening".
    get output() {
      return output;
    },
    async crash() {
      sfn.destroy();
      child.kill('SIGKILL');
      await exited;
    },
  };
}

it('fails an execution whose resume crashed the emulator 3 times, serves, and lists it in deliv local status', async () => {
  let emulator = await boot();
  const { stateMachineArn } = await emulator.sfn.send(new CreateStateMachineCommand({ name: 'poison', definition: JSON.stringify(WAITS), roleArn: 'arn:aws:iam::123456789012:role/DelivLocalRole' }));
  const { executionArn } = await emulator.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
  // In its Wait before the first crash: from then on it records nothing, as a poison execution that takes the
  // emulator down on every resume does (one that records events between crashes is not counted against).
  const lastEvent = async () => (await emulator.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }))).events?.[0]?.type;
  await expect.poll(lastEvent, { timeout: 15_000 }).toBe('WaitStateEntered');
  await emulator.crash();
  for (let crashes = 1; crashes <= 3; crashes++) {
    emulator = await boot();
    expect((await emulator.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await emulator.crash();
  }

  emulator = await boot();
  try {
    await expect.poll(() => emulator.output, { timeout: 15_000 }).toMatch(/quarantined 1 execution/);
    const described = await emulator.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(described.cause).toMatch(/resuming it crashed or hung the emulator 3 times in a row/);
    const { events } = await emulator.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(events?.[0]).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Runtime' } });

    const status = await runCli(['local', 'status', '--json'], { cwd: workspace.dir });
    expect(JSON.parse(status.stdout)).toMatchObject({ quarantined: [{ executionArn, attempts: 3 }] });
  } finally {
    await emulator.crash();
  }
  // Five emulator boots and a CLI run in sequence: several seconds each on a loaded machine.
}, 120_000);
