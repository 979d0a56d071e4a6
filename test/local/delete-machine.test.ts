/**
 * DeleteStateMachine as AWS documents it: "an asynchronous operation. It sets
 * the state machine's status to DELETING and begins the deletion process. A
 * state machine is deleted only when all its executions are completed. On
 * the next state transition, the state machine's executions are terminated."
 * While DELETING, the calls whose documented errors include
 * StateMachineDeleting refuse it, and no execution of it can be redriven.
 */
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  PublishStateMachineVersionCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

/** A parcel is held until a courier (an activity worker) picks it up, then labelled; a parcel without an id fails at once. */
function holdMachine(activityArn: string) {
  return {
    StartAt: 'HasId',
    States: {
      HasId: { Type: 'Choice', Choices: [{ Variable: '$.parcel', IsPresent: true, Next: 'Hold' }], Default: 'NoId' },
      NoId: { Type: 'Fail', Error: 'Parcel.NoId', Cause: 'no parcel id' },
      Hold: { Type: 'Task', Resource: activityArn, Next: 'Label' },
      Label: { Type: 'Pass', Result: 'labelled', End: true },
    },
  };
}

describe('DeleteStateMachine', () => {
  it('keeps a machine with running executions DELETING, refuses new work on it, and ends the executions at their next transition', async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'courier-pickup' }));
    const definition = JSON.stringify(holdMachine(activityArn!));
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'parcel-hold', definition, roleArn: ROLE }));
    const failedRun = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    expect(await finished(t.sfn, failedRun.executionArn!)).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE' });
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ parcel: 'P-1' }) }));
    const task = await t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'courier-7' }));
    expect(task.taskToken).toBeTruthy();

    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    expect(await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).toMatchObject({ stateMachineArn, status: 'DELETING' });
    // Deleting again is no error: the deletion is under way.
    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));

    const deleting = { name: 'StateMachineDeleting', message: 'State Machine is being deleted', $metadata: { httpStatusCode: 400 } };
    await expect(t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ parcel: 'P-2' }) }))).rejects.toMatchObject(deleting);
    await expect(t.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition }))).rejects.toMatchObject(deleting);
    await expect(t.sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn }))).rejects.toMatchObject(deleting);
    await expect(t.sfn.send(new CreateStateMachineCommand({ name: 'parcel-hold', definition, roleArn: ROLE }))).rejects.toMatchObject(deleting);
    await expect(t.sfn.send(new RedriveExecutionCommand({ executionArn: failedRun.executionArn }))).rejects.toMatchObject({
      name: 'ExecutionNotRedrivable',
      message: "Execution is not redrivable: 'State machine is in DELETING status'",
    });

    // The courier answers; the Task ends, and the transition to Label is where the execution is terminated.
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"picked":true}' }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'State machine parcel-hold has been deleted.' });
    const events = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    expect(events.slice(-3).map((event) => event.type)).toEqual(['ActivitySucceeded', 'TaskStateExited', 'ExecutionFailed']);
    expect(events.some((event) => event.stateEnteredEventDetails?.name === 'Label')).toBe(false);

    // Its last execution ended: the machine is gone, and its name is free again.
    await expect(t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    const again = await t.sfn.send(new CreateStateMachineCommand({ name: 'parcel-hold', definition, roleArn: ROLE }));
    expect(again.stateMachineArn).toBe(stateMachineArn);
  });

  it('deletes a machine with no running execution at once', async () => {
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'parcel-idle', definition, roleArn: ROLE }));
    const run = await t.sfn.send(new StartExecutionCommand({ stateMachineArn }));
    expect(await finished(t.sfn, run.executionArn!)).toMatchObject({ status: 'SUCCEEDED' });
    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    await expect(t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it("lists a DELETING machine until it goes, and lets its running executions be listed and stopped (AWS's remedy for a machine stuck DELETING)", async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'courier-never-comes' }));
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'parcel-stuck', definition: JSON.stringify(holdMachine(activityArn!)), roleArn: ROLE }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ parcel: 'P-9' }) }));
    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));

    // No worker ever answers the Task, so no transition comes: the machine stays DELETING, and listed.
    const listed = async () => (await t.sfn.send(new ListStateMachinesCommand({}))).stateMachines!.map((machine) => machine.stateMachineArn);
    expect(await listed()).toContain(stateMachineArn);
    const running = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.executions!.map((execution) => execution.executionArn)).toEqual([executionArn]);

    await t.sfn.send(new StopExecutionCommand({ executionArn }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'ABORTED' });
    await expect(t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(await listed()).not.toContain(stateMachineArn);
  });

  it("halts a running Map Run's children at their own next transition, and a stop of the parent aborts the rest", async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'van-loader' }));
    // Each parcel of the round is a child execution that waits for the van loader, then is labelled; failed parcels are tolerated.
    const round = {
      StartAt: 'LoadVans',
      States: {
        LoadVans: {
          Type: 'Map',
          ItemsPath: '$.parcels',
          ToleratedFailurePercentage: 100,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Load',
            States: { Load: { Type: 'Task', Resource: activityArn, Next: 'Label' }, Label: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    };
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'van-round', definition: JSON.stringify(round), roleArn: ROLE }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ parcels: ['P-1', 'P-2'] }) }));
    const first = await t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'loader-1' }));
    await t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'loader-2' }));
    const mapRunArn = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns![0].mapRunArn!;
    const children = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions!;
    const childOf = async (parcel: string) => {
      for (const child of children) if ((await t.sfn.send(new DescribeExecutionCommand({ executionArn: child.executionArn }))).input === JSON.stringify(parcel)) return child.executionArn!;
      throw new Error(`no child for ${parcel}`);
    };
    const answered = await childOf(JSON.parse(first.input!) as string);
    const waiting = children.map((child) => child.executionArn!).find((arn) => arn !== answered)!;

    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    expect(await t.sfn.send(new DescribeMapRunCommand({ mapRunArn }))).toMatchObject({ status: 'RUNNING', executionCounts: { running: 2 } });

    // The loader answers one parcel: its Task ends, and the transition to Label is where that child is terminated.
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{"van":"V-3"}' }));
    expect(await finished(t.sfn, answered)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'State machine van-round has been deleted.' });
    const events = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: answered }))).events!;
    expect(events.slice(-3).map((event) => event.type)).toEqual(['ActivitySucceeded', 'TaskStateExited', 'ExecutionFailed']);
    // The other parcel still waits for the loader, and so does its parent: the machine stays DELETING.
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: waiting }))).toMatchObject({ status: 'RUNNING' });
    expect(await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).toMatchObject({ status: 'DELETING' });

    await t.sfn.send(new StopExecutionCommand({ executionArn }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'ABORTED' });
    expect(await finished(t.sfn, waiting)).toMatchObject({ status: 'ABORTED' });
    expect(await t.sfn.send(new DescribeMapRunCommand({ mapRunArn }))).toMatchObject({ status: 'ABORTED', executionCounts: { failed: 1, aborted: 1, running: 0 } });
    await expect(t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
