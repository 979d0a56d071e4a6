import { CreateStateMachineCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../src/aws/clients.js';
import { followExecution, HistoryCursor, listExecutions, readHistory } from '../../src/aws/sfn.js';
import { startFakeSfn, type FakeSfn } from '../helpers/fake-sfn.js';

let fake: FakeSfn;
let sfn: SFNClient;
let machineArn: string;

beforeAll(async () => {
  // Pages of two events, so every read below crosses page boundaries with nextToken.
  fake = await startFakeSfn({ pageSize: 2 });
  sfn = await createSfnClient({ name: 'test', local: true, region: 'eu-west-1', endpoint: fake.url });
  const created = await sfn.send(new CreateStateMachineCommand({ name: 'orders', definition: '{}', roleArn: 'arn:aws:iam::111122223333:role/r' }));
  machineArn = created.stateMachineArn!;
});
afterAll(() => fake.close());

const pass = (name: string) => [
  { type: 'PassStateEntered', stateEnteredEventDetails: { name, input: '{}' } },
  { type: 'PassStateExited', stateExitedEventDetails: { name, output: '{}' } },
];

describe('HistoryCursor', () => {
  it('returns each event once, in order, as the history grows across pages', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{}' }));
    const cursor = new HistoryCursor(sfn, executionArn!);
    const batches: number[][] = [];
    const take = async () => batches.push((await cursor.poll()).map((event) => event.id!));
    await take();
    fake.appendEvents(executionArn!, pass('A'));
    await take();
    await take();
    fake.appendEvents(executionArn!, [...pass('B'), ...pass('C'), { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } }]);
    await take();
    expect(batches).toEqual([[1], [2, 3], [], [4, 5, 6, 7, 8]]);
    expect(cursor.done).toBe(true);
    expect((await readHistory(sfn, executionArn!)).map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('follows an execution to its end, handing over only new events', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{}' }));
    let step = 0;
    const seen: number[] = [];
    const all = await followExecution(
      sfn,
      executionArn!,
      (fresh) => {
        seen.push(...fresh.map((event) => event.id!));
        // The service keeps writing while the reader polls.
        if (step++ === 0) setTimeout(() => fake.appendEvents(executionArn!, [...pass('A'), { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'E', cause: 'c' } }]), 20);
      },
      { pollMs: { min: 5, max: 20 } },
    );
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(all.at(-1)?.type).toBe('ExecutionFailed');
  });
});

describe('HistoryCursor on a long history', () => {
  it('asks only for what follows the last event it holds', async () => {
    const big = await startFakeSfn();
    const client = await createSfnClient({ name: 'test', local: true, region: 'eu-west-1', endpoint: big.url });
    // Counts the events each response carries, whatever the pages look like.
    let transferred = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        transferred += ((result.output as { events?: unknown[] }).events ?? []).length;
        return result;
      },
      { step: 'initialize' },
    );
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'long', definition: '{}', roleArn: 'arn:aws:iam::111122223333:role/r' }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    big.appendEvents(executionArn!, Array.from({ length: 150 }, (_, i) => pass(`S${i}`)).flat());
    const cursor = new HistoryCursor(client, executionArn!);
    expect(await cursor.poll()).toHaveLength(301);

    transferred = 0;
    expect(await cursor.poll()).toEqual([]);
    expect(transferred).toBeLessThanOrEqual(25);

    big.appendEvents(executionArn!, [...pass('Late'), { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } }]);
    transferred = 0;
    expect((await cursor.poll()).map((event) => event.id)).toEqual([302, 303, 304]);
    expect(transferred).toBeLessThanOrEqual(25);
    expect(cursor.done).toBe(true);

    // More new events than one small page: the cursor pages further back, still stopping at what it holds.
    const second = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const follower = new HistoryCursor(client, second.executionArn!);
    await follower.poll();
    big.appendEvents(second.executionArn!, Array.from({ length: 40 }, (_, i) => pass(`T${i}`)).flat());
    expect((await follower.poll()).map((event) => event.id)).toEqual(Array.from({ length: 80 }, (_, i) => i + 2));
    client.destroy();
    await big.close();
  });
});

describe('listExecutions', () => {
  it('pages newest first and stops at the first known execution', async () => {
    const names = ['x1', 'x2', 'x3', 'x4', 'x5'];
    for (const name of names) await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name }));
    const newest = await listExecutions(sfn, machineArn, { limit: 3 });
    expect(newest.map((execution) => execution.name)).toEqual(['x5', 'x4', 'x3']);
    const untilKnown = await listExecutions(sfn, machineArn, { until: (execution) => execution.name === 'x2' });
    expect(untilKnown.map((execution) => execution.name)).toEqual(['x5', 'x4', 'x3']);
  });
});
