/**
 * A Distributed Map starts a Map Run whose children are real executions, as
 * on AWS: the parent's history shows the Map Run events only, each child has
 * its own ARN and history, ListExecutions --map-run-arn lists them, and
 * ListMapRuns / DescribeMapRun / UpdateMapRun serve the run.
 */
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineForExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  UpdateMapRunCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

/** Parcels routed one by one in a Distributed Map: a parcel without a zone fails its child execution. */
function routingMachine(extra: Record<string, unknown> = {}, processor: Record<string, unknown> = {}) {
  return {
    StartAt: 'RouteParcels',
    States: {
      RouteParcels: {
        Type: 'Map',
        Label: 'Routing',
        ItemsPath: '$.parcels',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'HasZone',
          States: {
            HasZone: { Type: 'Choice', Choices: [{ Variable: '$.zone', IsPresent: true, Next: 'Route' }], Default: 'Unroutable' },
            Route: { Type: 'Pass', Parameters: { 'parcel.$': '$.id', 'van.$': "States.Format('van-{}', $.zone)", 'execution.$': '$$.Execution.Id' }, End: true },
            Unroutable: { Type: 'Fail', Error: 'Parcel.NoZone', Cause: 'no delivery zone' },
          },
          ...processor,
        },
        ...extra,
        End: true,
      },
    },
  };
}

async function create(name: string, definition: unknown): Promise<string> {
  return (await t.sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

describe('Map Runs', () => {
  it('runs each item as a child execution with its own history, listed by its Map Run', async () => {
    const machine = await create('parcels', routingMachine({ MaxConcurrency: 1 }));
    const input = { parcels: [{ id: 'p1', zone: 'north' }, { id: 'p2', zone: 'south' }] };
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify(input) }));
    const done = await finished(t.sfn, executionArn!);
    expect(done.status).toBe('SUCCEEDED');

    const parent = await history(executionArn!);
    expect(parent.map((event) => event.type)).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    const mapRunArn = parent.find((event) => event.type === 'MapRunStarted')!.mapRunStartedEventDetails!.mapRunArn!;
    expect(mapRunArn).toMatch(/^arn:aws:states:us-east-1:123456789012:mapRun:parcels\/Routing:/);

    const runs = await t.sfn.send(new ListMapRunsCommand({ executionArn }));
    expect(runs.mapRuns).toEqual([
      { executionArn, mapRunArn, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:parcels/Routing', startDate: expect.any(Date), stopDate: expect.any(Date) },
    ]);
    const described = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(described).toMatchObject({ executionArn, status: 'SUCCEEDED', maxConcurrency: 1, toleratedFailureCount: 0, toleratedFailurePercentage: 0 });
    expect(described.executionCounts).toMatchObject({ pending: 0, running: 0, succeeded: 2, failed: 0, total: 2, resultsWritten: 2 });
    expect(described.itemCounts).toMatchObject({ succeeded: 2, total: 2 });

    const children = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions!;
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(child.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:parcels\/Routing:[0-9a-f-]{36}$/);
      expect(child.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:parcels/Routing');
      const own = await history(child.executionArn!);
      expect(own.map((event) => [event.id, event.previousEventId, event.type])).toEqual([
        [1, 0, 'ExecutionStarted'],
        [2, 0, 'ChoiceStateEntered'],
        [3, 2, 'ChoiceStateExited'],
        [4, 3, 'PassStateEntered'],
        [5, 4, 'PassStateExited'],
        [6, 5, 'ExecutionSucceeded'],
      ]);
      // `$$.Execution.Id` inside a child is the child's own ARN.
      expect(JSON.parse(own[5].executionSucceededEventDetails!.output!)).toMatchObject({ execution: child.executionArn });
      expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: child.executionArn }))).toMatchObject({ mapRunArn, status: 'SUCCEEDED' });
      expect(await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: child.executionArn }))).toMatchObject({ mapRunArn, label: 'Routing' });
    }
    const outputs = JSON.parse(done.output!) as { parcel: string; van: string }[];
    expect(outputs.map((output) => [output.parcel, output.van])).toEqual([
      ['p1', 'van-north'],
      ['p2', 'van-south'],
    ]);
  });

  it('counts failed children, tolerates them up to ToleratedFailureCount, and fails the Map Run beyond', async () => {
    const machine = await create('parcels-tolerant', routingMachine({ ToleratedFailureCount: 1 }));
    const oneBad = { parcels: [{ id: 'p1', zone: 'north' }, { id: 'p2' }, { id: 'p3', zone: 'east' }] };
    const tolerated = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify(oneBad) }));
    expect((await finished(t.sfn, tolerated.executionArn!)).status).toBe('SUCCEEDED');
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn: tolerated.executionArn }))).mapRuns!;
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ succeeded: 2, failed: 1, total: 3 });
    const failedChild = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn, statusFilter: 'FAILED' }))).executions!;
    expect(failedChild).toHaveLength(1);
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: failedChild[0].executionArn }))).toMatchObject({ error: 'Parcel.NoZone', cause: 'no delivery zone' });

    const twoBad = { parcels: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3', zone: 'east' }] };
    const beyond = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify(twoBad) }));
    expect(await finished(t.sfn, beyond.executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const [failedRun] = (await t.sfn.send(new ListMapRunsCommand({ executionArn: beyond.executionArn }))).mapRuns!;
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: failedRun.mapRunArn }))).status).toBe('FAILED');
    expect((await history(beyond.executionArn!)).map((event) => event.type)).toContain('MapRunFailed');
  });

  it('runs at most MaxConcurrency children at once, and UpdateMapRun raises it while the run goes on', async () => {
    const { activityArn } = await t.sfn.send(new CreateActivityCommand({ name: 'load-van' }));
    const processor = { StartAt: 'Load', States: { Load: { Type: 'Task', Resource: activityArn, End: true } } };
    const machine = await create('vans', routingMachine({ MaxConcurrency: 1 }, processor));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }) }));
    const first = await t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'loader' }));
    expect(JSON.parse(first.input!)).toEqual({ id: 'a' });
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ running: 1, pending: 2, total: 3 });

    await t.sfn.send(new UpdateMapRunCommand({ mapRunArn: run.mapRunArn, maxConcurrency: 2 }));
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).maxConcurrency).toBe(2);
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '"loaded"' }));
    // With room for two, both remaining children start: two workers get a task without answering either first.
    const [second, third] = await Promise.all([t.sfn.send(new GetActivityTaskCommand({ activityArn })), t.sfn.send(new GetActivityTaskCommand({ activityArn }))]);
    expect([JSON.parse(second.input!), JSON.parse(third.input!)].map((item: { id: string }) => item.id).sort()).toEqual(['b', 'c']);
    for (const task of [second, third]) await t.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"loaded"' }));
    expect((await finished(t.sfn, executionArn!)).output).toBe('["loaded","loaded","loaded"]');
  });

  it('runs a Map Run again when its execution resumes after a restart, with one set of children', { timeout: 60_000 }, async () => {
    const { tempDir } = await import('../helpers/cli.js');
    const { dir, cleanup } = tempDir('deliv-map-run-resume-');
    try {
      let emulator = await testEmulator({ root: dir });
      const { activityArn } = await emulator.sfn.send(new CreateActivityCommand({ name: 'sort-parcel' }));
      const processor = { StartAt: 'Sort', States: { Sort: { Type: 'Task', Resource: activityArn, End: true } } };
      const definition = JSON.stringify(routingMachine({}, processor));
      const machine = (await emulator.sfn.send(new CreateStateMachineCommand({ name: 'sorting', definition, roleArn: ROLE }))).stateMachineArn!;
      const { executionArn } = await emulator.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'a' }, { id: 'b' }] }) }));
      // Both children wait for a worker when the emulator stops.
      await emulator.sfn.send(new GetActivityTaskCommand({ activityArn }));
      await emulator.close();

      emulator = await testEmulator({ root: dir });
      const tasks = await Promise.all([emulator.sfn.send(new GetActivityTaskCommand({ activityArn })), emulator.sfn.send(new GetActivityTaskCommand({ activityArn }))]);
      for (const task of tasks) await emulator.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"sorted"' }));
      expect((await finished(emulator.sfn, executionArn!)).output).toBe('["sorted","sorted"]');
      const runs = (await emulator.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
      expect(runs).toHaveLength(1);
      const children = (await emulator.sfn.send(new ListExecutionsCommand({ mapRunArn: runs[0].mapRunArn }))).executions!;
      expect(children.map((child) => child.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect((await emulator.sfn.send(new DescribeMapRunCommand({ mapRunArn: runs[0].mapRunArn }))).executionCounts).toMatchObject({ succeeded: 2, total: 2, running: 0 });
      await emulator.close();
    } finally {
      cleanup();
    }
  });

  it('refuses unknown or malformed Map Run ARNs and an UpdateMapRun with nothing to change, with AWS error names', async () => {
    const unknown = 'arn:aws:states:us-east-1:123456789012:mapRun:nope/Label:0000';
    await expect(t.sfn.send(new DescribeMapRunCommand({ mapRunArn: unknown }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
    await expect(t.sfn.send(new DescribeMapRunCommand({ mapRunArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' }))).rejects.toMatchObject({ name: 'InvalidArn' });
    await expect(t.sfn.send(new ListExecutionsCommand({ mapRunArn: unknown }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
    const machine = await create('parcels-update', routingMachine());
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'p', zone: 'z' }] }) }));
    await finished(t.sfn, executionArn!);
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    await expect(t.sfn.send(new UpdateMapRunCommand({ mapRunArn: run.mapRunArn }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.sfn.send(new UpdateMapRunCommand({ mapRunArn: run.mapRunArn, toleratedFailurePercentage: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
