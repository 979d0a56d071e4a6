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
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  UpdateMapRunCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
    // resultsWritten counts what a ResultWriter wrote (API reference), and this Map has none.
    expect(described.executionCounts).toMatchObject({ pending: 0, running: 0, succeeded: 2, failed: 0, total: 2, resultsWritten: 0 });
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

    // Raised while 'a' still runs: a second child starts at once, not when 'a' ends.
    await t.sfn.send(new UpdateMapRunCommand({ mapRunArn: run.mapRunArn, maxConcurrency: 2 }));
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).maxConcurrency).toBe(2);
    const second = await t.sfn.send(new GetActivityTaskCommand({ activityArn }));
    expect(JSON.parse(second.input!)).toEqual({ id: 'b' });
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ running: 2, pending: 1 });
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '"loaded"' }));
    const third = await t.sfn.send(new GetActivityTaskCommand({ activityArn }));
    expect(JSON.parse(third.input!)).toEqual({ id: 'c' });
    for (const task of [second, third]) await t.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"loaded"' }));
    expect((await finished(t.sfn, executionArn!)).output).toBe('["loaded","loaded","loaded"]');
  });

  it('counts items, not batches, in itemCounts when an ItemBatcher groups them', async () => {
    const processor = { StartAt: 'Count', States: { Count: { Type: 'Pass', Parameters: { 'n.$': 'States.ArrayLength($.Items)' }, End: true } } };
    const machine = await create('parcels-batched', routingMachine({ ItemBatcher: { MaxItemsPerBatch: 2 } }, processor));
    const parcels = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => ({ id }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels }) }));
    expect((await finished(t.sfn, executionArn!)).output).toBe('[{"n":2},{"n":2},{"n":1}]');
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const described = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
    expect(described.executionCounts).toMatchObject({ succeeded: 3, total: 3 });
    expect(described.itemCounts).toMatchObject({ succeeded: 5, total: 5, pending: 0 });
  });

  /**
   * A warehouse worker for the two activities of each parcel (pick, then pack):
   * it counts every task it is handed, by activity and parcel, so a test sees
   * which work ran twice.
   */
  function warehouse(emulator: TestEmulator, arns: { pick: string; pack: string }) {
    const handed = new Map<string, number>();
    return {
      handed,
      /** Takes the next task of `activity` and says which parcel it is for. */
      async take(activity: 'pick' | 'pack'): Promise<{ id: string; taskToken: string }> {
        const task = await emulator.sfn.send(new GetActivityTaskCommand({ activityArn: arns[activity], workerName: 'warehouse' }));
        const { id } = JSON.parse(task.input!) as { id: string };
        handed.set(`${activity} ${id}`, (handed.get(`${activity} ${id}`) ?? 0) + 1);
        return { id, taskToken: task.taskToken! };
      },
      done: (taskToken: string) => emulator.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"id":"done"}' })),
    };
  }

  /** Each parcel is picked, then packed; `Pack` hands on what Pick chose. */
  async function warehouseMachine(emulator: TestEmulator, name: string) {
    const pick = (await emulator.sfn.send(new CreateActivityCommand({ name: `${name}-pick` }))).activityArn!;
    const pack = (await emulator.sfn.send(new CreateActivityCommand({ name: `${name}-pack` }))).activityArn!;
    const processor = {
      StartAt: 'Pick',
      States: {
        Pick: { Type: 'Task', Resource: pick, ResultPath: null, Next: 'Pack' },
        Pack: { Type: 'Task', Resource: pack, ResultSelector: { 'parcel.$': '$$.Execution.Input.id' }, End: true },
      },
    };
    const definition = JSON.stringify(routingMachine({ MaxConcurrency: 1 }, processor));
    const machine = (await emulator.sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }))).stateMachineArn!;
    return { machine, arns: { pick, pack } };
  }

  it('carries a Map Run on after a restart: ended children keep their results, an unfinished one carries on from its own history', { timeout: 90_000 }, async () => {
    const { tempDir } = await import('../helpers/cli.js');
    const { dir, cleanup } = tempDir('deliv-map-run-resume-');
    try {
      let emulator = await testEmulator({ root: dir });
      const { machine, arns } = await warehouseMachine(emulator, 'sorting');
      const { executionArn } = await emulator.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }) }));
      let worker = warehouse(emulator, arns);
      await worker.done((await worker.take('pick')).taskToken);
      await worker.done((await worker.take('pack')).taskToken);
      // Parcel a is done; b is picked and waits to be packed when the emulator stops.
      await worker.done((await worker.take('pick')).taskToken);
      expect((await worker.take('pack')).id).toBe('b');
      const [before] = (await emulator.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
      const childA = (await emulator.sfn.send(new ListExecutionsCommand({ mapRunArn: before.mapRunArn, statusFilter: 'SUCCEEDED' }))).executions![0].executionArn!;
      const historyOfA = (await emulator.sfn.send(new GetExecutionHistoryCommand({ executionArn: childA }))).events!;
      await emulator.close();

      emulator = await testEmulator({ root: dir });
      const handedBefore = worker.handed;
      worker = warehouse(emulator, arns);
      const next = await worker.take('pack');
      expect(next.id).toBe('b');
      await worker.done(next.taskToken);
      await worker.done((await worker.take('pick')).taskToken);
      await worker.done((await worker.take('pack')).taskToken);
      const done = await finished(emulator.sfn, executionArn!);
      expect(done.output).toBe('[{"parcel":"a"},{"parcel":"b"},{"parcel":"c"}]');
      // After the restart: b's pack again (it was waiting), c's work, and nothing of a, nor b's pick.
      expect(Object.fromEntries(worker.handed)).toEqual({ 'pack b': 1, 'pick c': 1, 'pack c': 1 });
      expect(Object.fromEntries(handedBefore)).toEqual({ 'pick a': 1, 'pack a': 1, 'pick b': 1, 'pack b': 1 });

      const runs = (await emulator.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
      expect(runs.map((run) => run.mapRunArn)).toEqual([before.mapRunArn]);
      const children = (await emulator.sfn.send(new ListExecutionsCommand({ mapRunArn: before.mapRunArn }))).executions!;
      expect(children.map((child) => child.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      expect((await emulator.sfn.send(new GetExecutionHistoryCommand({ executionArn: childA }))).events).toEqual(historyOfA);
      // b's history goes on from where it stopped: one entry of each state, ids in sequence.
      const childB = children.find((child) => child.executionArn !== childA && child.startDate! < children[0].startDate!) ?? children[1];
      const historyOfB = (await emulator.sfn.send(new GetExecutionHistoryCommand({ executionArn: childB.executionArn }))).events!;
      expect(historyOfB.filter((event) => event.type === 'TaskStateEntered').map((event) => event.stateEnteredEventDetails!.name)).toEqual(['Pick', 'Pack']);
      expect(historyOfB.map((event) => event.id)).toEqual(historyOfB.map((_, i) => i + 1));
      expect((await emulator.sfn.send(new DescribeMapRunCommand({ mapRunArn: before.mapRunArn }))).executionCounts).toMatchObject({ succeeded: 3, total: 3, running: 0 });
      await emulator.close();
    } finally {
      cleanup();
    }
  });

  it('redrives a failed Map Run with its parent: only the unsuccessful children run again, from the state that failed', { timeout: 90_000 }, async () => {
    const { machine, arns } = await warehouseMachine(t, 'redrive-sorting');
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }) }));
    const worker = warehouse(t, arns);
    await worker.done((await worker.take('pick')).taskToken);
    await worker.done((await worker.take('pack')).taskToken);
    await worker.done((await worker.take('pick')).taskToken);
    // b's packing fails: the Map Run fails (no failure tolerated) before c starts.
    const packB = await worker.take('pack');
    await t.sfn.send(new SendTaskFailureCommand({ taskToken: packB.taskToken, error: 'Van.Full', cause: 'no room for b' }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ succeeded: 1, failed: 1, total: 2 });
    const failedChild = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn, statusFilter: 'FAILED' }))).executions![0].executionArn!;
    const succeededChild = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn, statusFilter: 'SUCCEEDED' }))).executions![0].executionArn!;
    const historyOfSucceeded = await history(succeededChild);

    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    const packAgain = await worker.take('pack');
    expect(packAgain.id).toBe('b');
    await worker.done(packAgain.taskToken);
    await worker.done((await worker.take('pick')).taskToken);
    await worker.done((await worker.take('pack')).taskToken);
    const done = await finished(t.sfn, executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, output: '[{"parcel":"a"},{"parcel":"b"},{"parcel":"c"}]' });
    // a ran once; b was packed again but not picked again; c ran for the first time.
    expect(Object.fromEntries(worker.handed)).toEqual({ 'pick a': 1, 'pack a': 1, 'pick b': 1, 'pack b': 2, 'pick c': 1, 'pack c': 1 });

    const parent = await history(executionArn!);
    const types = parent.map((event) => event.type);
    expect(types.slice(types.indexOf('ExecutionRedriven'))).toEqual(['ExecutionRedriven', 'MapStateEntered', 'MapStateStarted', 'MapRunRedriven', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    expect(parent.find((event) => event.type === 'MapRunRedriven')!.mapRunRedrivenEventDetails).toEqual({ mapRunArn: run.mapRunArn, redriveCount: 1 });
    expect(await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveDate: expect.any(Date),
      executionCounts: expect.objectContaining({ succeeded: 3, failed: 0, total: 3 }),
    });
    // The Standard child that failed was redriven under its own ARN, from its failing state.
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: failedChild }))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const childTypes = (await history(failedChild)).map((event) => event.type);
    expect(childTypes.slice(childTypes.indexOf('ExecutionFailed'))).toEqual(['ExecutionFailed', 'ExecutionRedriven', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect((await t.sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn }))).executions).toHaveLength(3);
    // The child that had succeeded is left as it was.
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: succeededChild }))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0 });
    expect(await history(succeededChild)).toEqual(historyOfSucceeded);
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

  it('starts a new Map Run, under an ARN of its own, when the Map Run succeeded and the Map state failed after it', { timeout: 90_000 }, async () => {
    // The Map Run succeeds, then OutputPath selects nothing: States.Runtime on the Map state, not on its Map Run.
    const machine = await create('parcels-output', routingMachine({ OutputPath: '$.missing' }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'p1', zone: 'north' }] }) }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    const [first] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    expect(await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: first.mapRunArn }))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0 });

    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', redriveCount: 1 });
    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    await finished(t.sfn, executionArn!);

    const runs = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!.map((run) => run.mapRunArn!);
    expect(runs).toHaveLength(3);
    expect(new Set(runs).size).toBe(3);
    expect(runs[0]).toBe(first.mapRunArn);
    const parent = await history(executionArn!);
    // Each attempt records MapRunStarted of its own Map Run, never MapRunRedriven.
    expect(parent.filter((event) => event.type === 'MapRunStarted').map((event) => event.mapRunStartedEventDetails!.mapRunArn)).toEqual(runs);
    expect(parent.some((event) => event.type === 'MapRunRedriven')).toBe(false);
    for (const mapRunArn of runs) {
      expect(await t.sfn.send(new DescribeMapRunCommand({ mapRunArn }))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0, executionCounts: expect.objectContaining({ succeeded: 1, total: 1 }) });
      expect((await t.sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions).toHaveLength(1);
    }
  });

  it('fails the Map state with States.Runtime past 1,000 redrives of its Map Run', { timeout: 90_000 }, async () => {
    const machine = await create('parcels-redrive-limit', routingMachine());
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'p1' }] }) }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    // 1,000 redrives earlier (each one a full redrive otherwise): the store as it would be after them.
    const store = t.emulator.context.store;
    for (let i = 0; i < 1000; i++) store.redriveMapRun(run.mapRunArn!, Date.now());
    store.finishMapRun(run.mapRunArn!, 'FAILED', Date.now());

    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    const done = await finished(t.sfn, executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toContain('1000');
    const types = (await history(executionArn!)).map((event) => event.type);
    expect(types.slice(types.indexOf('ExecutionRedriven'))).not.toContain('MapRunRedriven');
    expect(await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).toMatchObject({ status: 'FAILED', redriveCount: 1000 });
  });

  it('refuses RedriveExecution, with ExecutionNotRedrivable, for an execution that ended more than 14 days ago', async () => {
    const machine = await create('parcels-redrive-window', routingMachine());
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'p1' }] }) }));
    const failed = await finished(t.sfn, executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE' });
    // The store as it would be had the execution failed 15 days ago: AWS's redrivable period is 14 days from its end.
    const { store, clock } = t.emulator.context;
    store.finishExecution(executionArn!, { status: 'FAILED', error: failed.error, cause: failed.cause, stopped: clock.now() - 15 * 86_400_000 });

    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded' });
    await expect(t.sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({
      name: 'ExecutionNotRedrivable',
      message: "Execution is not redrivable: 'Execution redrivable period exceeded'",
    });
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'FAILED', redriveCount: 0 });
  });

  it('counts a failed Standard child past its redrivable period as failuresNotRedrivable, and a redrive of the parent leaves it failed', { timeout: 90_000 }, async () => {
    // Two parcels without a zone, one tolerated failure: both children fail, the Map Run fails.
    const machine = await create('parcels-not-redrivable', routingMachine({ ToleratedFailureCount: 1, ItemBatcher: { MaxItemsPerBatch: 2 } }, { StartAt: 'Unroutable', States: { Unroutable: { Type: 'Fail', Error: 'Parcel.NoZone' } } }));
    const parcels = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels }) }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const before = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
    expect(before.executionCounts).toMatchObject({ failed: 2, failuresNotRedrivable: 0 });
    // One child (a batch of two parcels) as it would be had it failed 15 days ago.
    const children = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn }))).executions!;
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: children[0].executionArn }))).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE_BY_MAP_RUN' });
    const old = children[0].executionArn!;
    const { store, clock } = t.emulator.context;
    store.finishExecution(old, { status: 'FAILED', error: 'Parcel.NoZone', stopped: clock.now() - 15 * 86_400_000 });

    const described = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
    expect(described.executionCounts).toMatchObject({ failed: 2, failuresNotRedrivable: 1 });
    expect(described.itemCounts).toMatchObject({ failed: 4, failuresNotRedrivable: 2 });
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: old }))).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded' });

    // The parent is redrivable: its Map Run redrives the other child only, which fails again.
    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', redriveCount: 1 });
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: old }))).toMatchObject({ status: 'FAILED', redriveCount: 0 });
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: children[1].executionArn }))).toMatchObject({ status: 'FAILED', redriveCount: 1 });
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ failed: 2, failuresNotRedrivable: 1, pendingRedrive: 0 });
  });

  it('counts a redriven Map Run\'s unsuccessful children as pendingRedrive until MaxConcurrency lets them run again', { timeout: 90_000 }, async () => {
    const activityArn = (await t.sfn.send(new CreateActivityCommand({ name: 'label-printer' }))).activityArn!;
    const machine = await create('parcels-pending-redrive', routingMachine({}, { StartAt: 'Print', States: { Print: { Type: 'Task', Resource: activityArn, End: true } } }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ parcels: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }) }));
    const take = () => t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'printer' }));
    const tasks = [await take(), await take(), await take()];
    // One label fails: the Map Run fails and the other two children are aborted.
    await t.sfn.send(new SendTaskFailureCommand({ taskToken: tasks[0].taskToken, error: 'Printer.Jammed', cause: 'paper jam' }));
    await finished(t.sfn, executionArn!);
    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    await t.sfn.send(new UpdateMapRunCommand({ mapRunArn: run.mapRunArn, maxConcurrency: 1 }));

    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    const again = await take();
    const during = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
    expect(during).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect(during.executionCounts).toMatchObject({ pendingRedrive: 2, failuresNotRedrivable: 0 });
    expect(during.itemCounts).toMatchObject({ pendingRedrive: 2 });
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: again.taskToken, output: '{}' }));
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: (await take()).taskToken, output: '{}' }));
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: (await take()).taskToken, output: '{}' }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'SUCCEEDED' });
    const after = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
    expect(after.executionCounts).toMatchObject({ pendingRedrive: 0, succeeded: 3 });
  });
});

describe("a Distributed Map's STANDARD children", () => {
  it('fail at 25,000 history events, as a top-level execution does, counted among the Map Run\'s failures', { timeout: 120_000 }, async () => {
    // A parcel counted up to its own `to` in its child: 4 events a turn, so 6,250 turns pass 25,000 events.
    const counting = {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'to.$': '$.to', 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThanPath: '$.to', Next: 'Count' }], Default: 'Counted' },
        Counted: { Type: 'Succeed' },
      },
    };
    const machine = await create('parcels-counting', routingMachine({ ToleratedFailureCount: 0 }, counting));
    const input = { parcels: [{ id: 'long', n: 0, to: 6_250 }, { id: 'short', n: 0, to: 3 }] };
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify(input) }));
    expect(await finished(t.sfn, executionArn!, 4000)).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });

    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ failed: 1, succeeded: 1, failuresNotRedrivable: 1 });
    const [failed] = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn, statusFilter: 'FAILED' }))).executions!;
    const described = await t.sfn.send(new DescribeExecutionCommand({ executionArn: failed.executionArn }));
    expect(described).toMatchObject({ error: 'States.Runtime', redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution history event limit exceeded' });
    expect(described.cause).toContain('maximum number of events');
    const last = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: failed.executionArn, reverseOrder: true, maxResults: 1 }))).events![0];
    expect(last).toMatchObject({ id: 25_000, type: 'ExecutionFailed' });
  });
});

describe("a Distributed Map's EXPRESS children", () => {
  it('time out five minutes after their start (States.Timeout), counted as timedOut by DescribeMapRun', { timeout: 60_000 }, async () => {
    // Each parcel cools for its own time in an Express child; one failure tolerated. The emulator runs at
    // --time-scale 0: waits take no real time, but they take the clock past Express's five minutes.
    const machine = await create(
      'parcels-cooling',
      routingMachine(
        { ToleratedFailureCount: 1, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'cooling-results' } } },
        { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Cool', States: { Cool: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Cooled' }, Cooled: { Type: 'Pass', Parameters: { 'parcel.$': '$.id' }, End: true } } },
      ),
    );
    const input = { parcels: [{ id: 'frozen', seconds: 600 }, { id: 'chilled', seconds: 60 }] };
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify(input) }));
    const done = await finished(t.sfn, executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED' });

    const [run] = (await t.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const described = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
    expect(described.executionCounts).toMatchObject({ timedOut: 1, succeeded: 1, failed: 0, total: 2 });
    expect(described.itemCounts).toMatchObject({ timedOut: 1, succeeded: 1 });
    // The timed-out child is exported with the failures (AWS: FAILED_n.json), its Map Run able to run it again.
    const id = run.mapRunArn!.slice(run.mapRunArn!.lastIndexOf(':') + 1);
    const failed = JSON.parse(readFileSync(path.join(t.dir, 'cooling-results', id, 'FAILED_0.json'), 'utf8')) as Record<string, string>[];
    expect(failed).toEqual([expect.objectContaining({ Status: 'TIMED_OUT', Error: 'States.Timeout', Cause: 'The execution timed out after 300 seconds', RedriveStatus: 'REDRIVABLE_BY_MAP_RUN' })]);
    expect(failed[0].ExecutionArn).toMatch(/:express:parcels-cooling\/Routing:/);
    const child = await t.sfn.send(new DescribeExecutionCommand({ executionArn: failed[0].ExecutionArn }));
    // A Map Run's child is described by whether its Map Run can run it again.
    expect(child).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out after 300 seconds', redriveStatus: 'REDRIVABLE_BY_MAP_RUN' });
    // Five minutes on the virtual clock, plus the few real milliseconds the child's start and end took.
    const ranFor = child.stopDate!.getTime() - child.startDate!.getTime();
    expect(ranFor).toBeGreaterThanOrEqual(300_000);
    expect(ranFor).toBeLessThan(301_000);
    const [chilled] = JSON.parse(readFileSync(path.join(t.dir, 'cooling-results', id, 'SUCCEEDED_0.json'), 'utf8')) as Record<string, string>[];
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: chilled.ExecutionArn }))).toMatchObject({
      status: 'SUCCEEDED',
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
  });
});

describe('an execution started before RedriveExecution was launched (15 November 2023)', () => {
  it('is refused RedriveExecution with AWS reason, and its Map Run children count as failuresNotRedrivable', async () => {
    // The machine's clock reads 1 November 2023 (and runs on): the emulator's clock is the system's.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: Date.UTC(2023, 10, 1, 9) });
    const old = await testEmulator();
    try {
      const definition = routingMachine({ ToleratedFailureCount: 0 });
      const { stateMachineArn } = await old.sfn.send(new CreateStateMachineCommand({ name: 'parcels-2023', definition: JSON.stringify(definition), roleArn: ROLE }));
      const { executionArn } = await old.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ parcels: [{ id: 'p1' }] }) }));
      const failed = await finished(old.sfn, executionArn!);
      expect(failed).toMatchObject({ status: 'FAILED', redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution was started before the launch of RedriveExecution' });
      expect(failed.startDate!.getTime()).toBeLessThan(Date.UTC(2023, 10, 15));
      await expect(old.sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({
        name: 'ExecutionNotRedrivable',
        message: "Execution is not redrivable: 'Execution was started before the launch of RedriveExecution'",
      });
      const [run] = (await old.sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
      expect((await old.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).executionCounts).toMatchObject({ failed: 1, failuresNotRedrivable: 1 });
    } finally {
      await old.close();
      vi.useRealTimers();
    }
  });
});
