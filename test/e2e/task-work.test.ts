/**
 * `deliv task work` as a courier's team would use it: an activity worker in
 * the terminal answers the pickup tasks of running executions with a project
 * handler, and what the handler throws fails the task (Catch sees it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateActivityCommand, CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { finished, ROLE, sfnClient } from '../helpers/emulator.js';

const project = tempDir('deliv-e2e-task-work-');
const cwd = project.dir;
let sfn: SFNClient;
let machine: string;

beforeAll(async () => {
  mkdirSync(path.join(cwd, 'functions'));
  writeFileSync(
    path.join(cwd, 'functions/pickup.mjs'),
    [
      'export const handler = async (event) => {',
      "  if (!event.address) { const error = new Error('no pickup address'); error.name = 'Courier.NoAddress'; throw error; }",
      "  return { pickedUp: event.orderId, by: 'van-7' };",
      '};',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(cwd, 'deliv.yaml'), 'name: couriers\nstateMachines: {}\nfunctions:\n  courier-pickup: { handler: functions/pickup.mjs }\n');
  const started = await runCli(['local', 'start', '--detach', '--port', '0', '--time-scale', '0'], { cwd });
  expect(started.exitCode, started.stderr).toBe(0);
  const { port } = JSON.parse(readFileSync(path.join(cwd, '.deliv/emulator.json'), 'utf8')) as { port: number };
  sfn = sfnClient(`http://127.0.0.1:${port}`);
  const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'courier-pickup' }));
  const definition = {
    StartAt: 'Pickup',
    States: {
      Pickup: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 60, Catch: [{ ErrorEquals: ['Courier.NoAddress'], ResultPath: '$.problem', Next: 'CallCustomer' }], End: true },
      CallCustomer: { Type: 'Pass', End: true },
    },
  };
  machine = (await sfn.send(new CreateStateMachineCommand({ name: 'pickup', roleArn: ROLE, definition: JSON.stringify(definition) }))).stateMachineArn!;
}, 90_000);

afterAll(async () => {
  sfn?.destroy();
  await runCli(['local', 'stop'], { cwd });
  project.cleanup();
});

describe('deliv task work', () => {
  it('answers each task with the handler named like the activity, success or failure, and reports them', { timeout: 90_000 }, async () => {
    const good = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ orderId: 'o-1', address: '1 Main St' }) }));
    const bad = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ orderId: 'o-2' }) }));
    const worked = await runCli(['task', 'work', 'courier-pickup', '--max-tasks', '2', '--worker-name', 'van-7-app', '--json'], { cwd });
    expect(worked.exitCode, worked.stderr).toBe(0);
    const result = JSON.parse(worked.stdout) as { activityArn: string; workerName: string; tasks: { status: string; input: { orderId: string }; output?: unknown; error?: string }[] };
    expect(result.activityArn).toBe('arn:aws:states:us-east-1:123456789012:activity:courier-pickup');
    const byOrder = Object.fromEntries(result.tasks.map((task) => [task.input.orderId, task]));
    expect(byOrder['o-1']).toMatchObject({ status: 'succeeded', output: { pickedUp: 'o-1', by: 'van-7' } });
    expect(byOrder['o-2']).toMatchObject({ status: 'failed', error: 'Courier.NoAddress' });

    expect(JSON.parse((await finished(sfn, good.executionArn!)).output!)).toEqual({ pickedUp: 'o-1', by: 'van-7' });
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: good.executionArn }))).events!;
    expect(events.find((event) => event.type === 'ActivityStarted')?.activityStartedEventDetails).toEqual({ workerName: 'van-7-app' });
    const caught = await finished(sfn, bad.executionArn!);
    expect(caught.status).toBe('SUCCEEDED');
    expect(JSON.parse(caught.output!)).toMatchObject({ problem: { Error: 'Courier.NoAddress' } });
  });

  it('says which flag to pass when no handler answers the activity', async () => {
    const worked = await runCli(['task', 'work', 'courier-dropoff', '--once'], { cwd });
    expect(worked.exitCode).toBe(2);
    expect(worked.stderr).toMatch(/no function courier-dropoff/);
    expect(worked.stderr).toMatch(/--handler FILE .*--function NAME \(functions: courier-pickup\)/);
  });
});
