/**
 * The emulator answers while an execution runs a chain of synchronous states
 * (a Pass/Choice loop that never ends), or a loop of states that each await
 * a heavy JSONata expression (continuations as promise callbacks): the engine
 * gives the event loop back, so the API and SIGTERM never wait for the loop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const FOREVER = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Increment' },
    Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Again' },
    Again: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericGreaterThanEquals: 0, Next: 'Increment' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

/** Each state awaits the jsonata package (arrays are beyond the synchronous fast path) for a sum that takes a while. */
const HEAVY = {
  QueryLanguage: 'JSONata',
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Output: { n: 0 }, Next: 'Heavy' },
    Heavy: { Type: 'Pass', Output: '{% {"n": $states.input.n + 1, "sum": $sum([1..200000])} %}', Next: 'Again' },
    Again: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n >= 0 %}', Next: 'Heavy' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

let workspace: { dir: string; cleanup: () => void };
let sfn: SFNClient;

async function startEmulator(): Promise<void> {
  const started = await runCli(['local', 'start', '--port', '0', '--detach'], { cwd: workspace.dir });
  expect(started.exitCode, started.stderr).toBe(0);
  const { port } = JSON.parse(readFileSync(path.join(workspace.dir, '.deliv/emulator.json'), 'utf8')) as { port: number };
  sfn?.destroy();
  sfn = new SFNClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

beforeAll(async () => {
  workspace = tempDir('deliv-e2e-responsive-');
  await startEmulator();
});

afterAll(async () => {
  sfn?.destroy();
  await runCli(['local', 'stop'], { cwd: workspace.dir });
  workspace.cleanup();
});

it('answers API calls while a Pass/Choice loop runs', async () => {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({ name: 'forever', definition: JSON.stringify(FOREVER), roleArn: 'arn:aws:iam::123456789012:role/DelivLocalRole' }),
    // Each call gets 5 s: an emulator whose event loop is held by the loop never answers.
    { abortSignal: AbortSignal.timeout(5000) },
  );
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }), { abortSignal: AbortSignal.timeout(5000) });
  const listed = await sfn.send(new ListStateMachinesCommand({}), { abortSignal: AbortSignal.timeout(5000) });
  expect(listed.stateMachines?.map((machine) => machine.name)).toContain('forever');
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
  expect(described.status).toBe('RUNNING');
  await sfn.send(new StopExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
  const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
  expect(stopped.status).toBe('ABORTED');
});

it('answers API calls and SIGTERM while every state awaits a heavy JSONata expression, and resumes the loop after', async () => {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({ name: 'heavy', definition: JSON.stringify(HEAVY), roleArn: 'arn:aws:iam::123456789012:role/DelivLocalRole' }),
    { abortSignal: AbortSignal.timeout(5000) },
  );
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }), { abortSignal: AbortSignal.timeout(5000) });
  const eventCount = async () =>
    (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }), { abortSignal: AbortSignal.timeout(5000) })).events?.length ?? 0;
  // Progress, not time: the loop has run some heavy states, and every call meanwhile answered within its 5 s.
  let before = await eventCount();
  while (before < 8) before = await eventCount();
  const listed = await sfn.send(new ListStateMachinesCommand({}), { abortSignal: AbortSignal.timeout(5000) });
  expect(listed.stateMachines?.map((machine) => machine.name)).toContain('heavy');

  // SIGTERM stops it without the SIGKILL that `deliv local stop` sends after its grace period.
  const stopped = await runCli(['local', 'stop'], { cwd: workspace.dir });
  expect(stopped.exitCode, stopped.stderr).toBe(0);
  expect(stopped.stdout).toMatch(/\bstopped\b/);
  expect(stopped.stdout).not.toMatch(/killed/);

  // The execution was left RUNNING and runs on from its history.
  await startEmulator();
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) })).status).toBe('RUNNING');
  const resumedAt = await eventCount();
  expect(resumedAt).toBeGreaterThanOrEqual(before);
  let now = resumedAt;
  while (now <= resumedAt) now = await eventCount();
  await sfn.send(new StopExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
  expect(described.status).toBe('ABORTED');
});

it('answers API calls within a bound while every state evaluates one JSONata expression for hundreds of milliseconds', async () => {
  // $sum over three million numbers: 150-400 ms of one thread per evaluation. Only the first runs on the
  // emulator's thread; from the second on, it is evaluated in a worker thread (src/engine/jsonata-workers.ts).
  const slower = JSON.parse(JSON.stringify(HEAVY).replace('[1..200000]', '[1..3000000]')) as typeof HEAVY;
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({ name: 'slower', definition: JSON.stringify(slower), roleArn: 'arn:aws:iam::123456789012:role/DelivLocalRole' }),
    { abortSignal: AbortSignal.timeout(5000) },
  );
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }), { abortSignal: AbortSignal.timeout(5000) });
  const heavyDone = async () =>
    (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }), { abortSignal: AbortSignal.timeout(5000) })).events?.filter(
      (event) => event.type === 'PassStateExited' && event.stateExitedEventDetails?.name === 'Heavy',
    ).length ?? 0;
  while ((await heavyDone()) < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  const took: number[] = [];
  for (let i = 0; i < 12; i++) {
    const started = performance.now();
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
    took.push(performance.now() - started);
    expect(described.status).toBe('RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  // Before, a call waited for the evaluation under way: up to its whole length.
  expect(Math.max(...took)).toBeLessThan(150);
  await sfn.send(new StopExecutionCommand({ executionArn }), { abortSignal: AbortSignal.timeout(5000) });
}, 60_000);
