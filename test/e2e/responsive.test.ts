/**
 * The emulator answers while an execution runs a chain of synchronous states
 * (a Pass/Choice loop that never ends): the engine gives the event loop back
 * between slices of the chain, so the API never waits for the loop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
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

let workspace: { dir: string; cleanup: () => void };
let sfn: SFNClient;

beforeAll(async () => {
  workspace = tempDir('deliv-e2e-responsive-');
  const started = await runCli(['local', 'start', '--port', '0', '--detach'], { cwd: workspace.dir });
  expect(started.exitCode, started.stderr).toBe(0);
  const { port } = JSON.parse(readFileSync(path.join(workspace.dir, '.deliv/emulator.json'), 'utf8')) as { port: number };
  sfn = new SFNClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
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
