import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator({ timeScale: 1 });
});
afterAll(() => t.close());

/** A courier app takes the pickup task: an activity, answered by a worker that polls for it. */
async function courierMachine(name: string, activityArn: string, extra: Record<string, unknown> = {}): Promise<string> {
  const definition = {
    StartAt: 'ConfirmPickup',
    States: {
      ConfirmPickup: { Type: 'Task', Resource: activityArn, Parameters: { 'orderId.$': '$.orderId' }, ...extra, Catch: [{ ErrorEquals: ['Courier.Unavailable'], ResultPath: '$.error', Next: 'NoCourier' }], End: true },
      NoCourier: { Type: 'Pass', End: true },
    },
  };
  const created = await t.sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }));
  return created.stateMachineArn!;
}

const types = (events: HistoryEvent[]) => events.map((event) => event.type);

describe('Activities', () => {
  it('are created once by name, described, listed and deleted', async () => {
    const first = await t.sfn.send(new CreateActivityCommand({ name: 'courier-pickup' }));
    const again = await t.sfn.send(new CreateActivityCommand({ name: 'courier-pickup' }));
    expect(again.activityArn).toBe(first.activityArn);
    expect(first.activityArn).toBe('arn:aws:states:us-east-1:123456789012:activity:courier-pickup');
    expect(await t.sfn.send(new DescribeActivityCommand({ activityArn: first.activityArn }))).toMatchObject({ name: 'courier-pickup', creationDate: first.creationDate });
    await t.sfn.send(new CreateActivityCommand({ name: 'courier-dropoff' }));
    const page = await t.sfn.send(new ListActivitiesCommand({ maxResults: 1 }));
    expect(page.activities).toHaveLength(1);
    const rest = await t.sfn.send(new ListActivitiesCommand({ nextToken: page.nextToken }));
    expect([...page.activities!, ...rest.activities!].map((a) => a.name).sort()).toEqual(['courier-dropoff', 'courier-pickup']);
    await t.sfn.send(new DeleteActivityCommand({ activityArn: 'arn:aws:states:us-east-1:123456789012:activity:courier-dropoff' }));
    await expect(t.sfn.send(new DescribeActivityCommand({ activityArn: 'arn:aws:states:us-east-1:123456789012:activity:courier-dropoff' }))).rejects.toMatchObject({ name: 'ActivityDoesNotExist' });
    await expect(t.sfn.send(new DescribeActivityCommand({ activityArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' }))).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  it('hand a task to the worker that polls, and the worker’s answer ends it, recorded as AWS records it', async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'pickup-ok' }));
    const machine = await courierMachine('pickup-ok', activityArn!, { HeartbeatSeconds: 30 });
    // The worker polls before any task exists: the long poll takes the task as soon as it is scheduled.
    const polled = t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'courier-app-7' }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"orderId":"o-1"}' }));
    const task = await polled;
    expect(JSON.parse(task.input!)).toEqual({ orderId: 'o-1' });
    await t.sfn.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"courier":"Nadia"}' }));
    const done = await finished(t.sfn, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ courier: 'Nadia' });
    const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(types(events!)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    const byType = Object.fromEntries(events!.map((event) => [event.type, event]));
    expect(byType.ActivityScheduled.activityScheduledEventDetails).toEqual({ resource: activityArn, input: '{"orderId":"o-1"}', inputDetails: { truncated: false }, heartbeatInSeconds: 30 });
    expect(byType.ActivityStarted.activityStartedEventDetails).toEqual({ workerName: 'courier-app-7' });
    expect(byType.ActivitySucceeded.activitySucceededEventDetails).toEqual({ output: '{"courier":"Nadia"}', outputDetails: { truncated: false } });
  });

  it('take a worker’s failure to the catcher', async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'pickup-fails' }));
    const machine = await courierMachine('pickup-fails', activityArn!);
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"orderId":"o-2"}' }));
    const task = await t.sfn.send(new GetActivityTaskCommand({ activityArn }));
    await t.sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Courier.Unavailable', cause: 'no courier in zone 2' }));
    const done = await finished(t.sfn, executionArn!);
    expect(JSON.parse(done.output!)).toEqual({ orderId: 'o-2', error: { Error: 'Courier.Unavailable', Cause: 'no courier in zone 2' } });
    const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.find((event) => event.type === 'ActivityFailed')?.activityFailedEventDetails).toEqual({ error: 'Courier.Unavailable', cause: 'no courier in zone 2' });
  });

  it('time out when no worker takes the task, with no ActivityStarted', async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'pickup-nobody' }));
    const machine = await courierMachine('pickup-nobody', activityArn!, { TimeoutSeconds: 1 });
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"orderId":"o-9"}' }));
    const done = await finished(t.sfn, executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(types(events!)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityTimedOut', 'ExecutionFailed']);
    // The task is gone: a late worker's poll finds nothing to take (it is still waiting when it gives up).
    const late = await t.sfn.send(new GetActivityTaskCommand({ activityArn }), { abortSignal: AbortSignal.timeout(500) }).then((r) => r.taskToken ?? 'empty', () => 'still waiting');
    expect(late).toBe('still waiting');
  });

  it('give a task to a worker still polling, not to one that hung up', async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'pickup-after-hangup' }));
    const machine = await courierMachine('pickup-after-hangup', activityArn!);
    // The first worker gives up its long poll before any task exists; its place in the queue goes with it.
    const gone = t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'gone' }), { abortSignal: AbortSignal.timeout(300) }).catch(() => 'hung up');
    expect(await gone).toBe('hung up');
    const waiting = t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'still-here' }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"orderId":"o-5"}' }));
    const task = await waiting;
    expect(JSON.parse(task.input!)).toEqual({ orderId: 'o-5' });
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"picked":true}' }));
    const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.find((event) => event.type === 'ActivityStarted')?.activityStartedEventDetails?.workerName).toBe('still-here');
  });

  it('fail the task of an activity that does not exist, saying how to create it', async () => {
    const machine = await courierMachine('pickup-missing', 'arn:aws:states:us-east-1:123456789012:activity:never-created');
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"orderId":"o-9"}' }));
    const done = await finished(t.sfn, executionArn!);
    expect(done.status).toBe('FAILED');
    expect(done.cause).toContain('create-activity --name never-created');
  });
});
