/**
 * Express executions read through CloudWatch Logs, as every command reads
 * them: the SFN readers (listExecutions, readHistory, HistoryCursor,
 * describeExecutionMachine) hand Express machines to the log group reader,
 * which lists them from their lifecycle events and reads each history back
 * in the GetExecutionHistory shape. The emulator serves both APIs.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateStateMachineCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logGroupArn } from '../../src/aws/execution-logs.js';
import { attachExpressReader, ExpressLogReader, loggingNotes, machineArnOfExecution } from '../../src/aws/logs.js';
import { describeExecutionMachine, HistoryCursor, latestExecution, listExecutions, readHistory } from '../../src/aws/sfn.js';
import { DelivError } from '../../src/ui/errors.js';
import { ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { PARCELS_DEFINITION } from '../helpers/parcels.js';

let t: TestEmulator;
let logs: CloudWatchLogsClient;
const partition = { region: 'us-east-1', account: '123456789012' };
const DEFINITION = PARCELS_DEFINITION;

beforeAll(async () => {
  t = await testEmulator();
  logs = new CloudWatchLogsClient({ endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  attachExpressReader(t.sfn, new ExpressLogReader(t.sfn, async () => logs, 'local', true));
});
afterAll(async () => {
  logs.destroy();
  await t.close();
});

async function expressMachine(name: string, level: 'ALL' | 'ERROR' | 'OFF'): Promise<string> {
  const group = `/aws/vendedlogs/states/${name}-Logs`;
  if (level !== 'OFF') await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  const created = await t.sfn.send(
    new CreateStateMachineCommand({
      name,
      type: 'EXPRESS',
      roleArn: ROLE,
      definition: JSON.stringify(DEFINITION),
      loggingConfiguration: level === 'OFF' ? undefined : { level, includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroupArn(partition, group) } }] },
    }),
  );
  return created.stateMachineArn!;
}

const run = async (machineArn: string, name: string, ok: boolean) =>
  (await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn, name, input: JSON.stringify({ ok }) }))).executionArn!;

describe('Express executions through their log group', () => {
  it('lists them newest first with their status, reads and follows each history, and names the machine that ran it', async () => {
    const machineArn = await expressMachine('parcels', 'ALL');
    const arns = [];
    for (const [i, ok] of [true, false, true, true, false].entries()) arns.push(await run(machineArn, `run-${i}`, ok));

    const listed = await listExecutions(t.sfn, machineArn, { limit: 10 });
    expect(listed.map((execution) => execution.name)).toEqual(['run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    expect(listed.map((execution) => execution.status)).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(listed[0]).toMatchObject({ executionArn: arns[4], stateMachineArn: machineArn });
    expect(listed[0].stopDate!.getTime()).toBeGreaterThanOrEqual(listed[0].startDate!.getTime());
    expect((await listExecutions(t.sfn, machineArn, { limit: 1, statusFilter: 'FAILED' })).map((execution) => execution.name)).toEqual(['run-4']);
    expect((await latestExecution(t.sfn, [machineArn], ['FAILED']))?.executionArn).toBe(arns[4]);

    const history = await readHistory(t.sfn, arns[1]);
    expect(history.map((event) => event.type)).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed']);
    expect(history.map((event) => event.id)).toEqual([1, 2, 3, 4, 5]);
    expect(history[4].executionFailedEventDetails).toEqual({ error: 'Parcel.Refused', cause: 'no route' });

    const cursor = new HistoryCursor(t.sfn, arns[0]);
    expect((await cursor.poll()).length).toBeGreaterThan(0);
    expect(cursor.done).toBe(true);
    expect(await cursor.poll()).toEqual([]);

    expect(machineArnOfExecution(arns[0])).toBe(machineArn);
    expect(await describeExecutionMachine(t.sfn, arns[0])).toMatchObject({ stateMachineArn: machineArn, name: 'parcels', type: 'EXPRESS', definition: JSON.stringify(DEFINITION) });
  });

  it('a machine with logging off says so, and how to turn it on', async () => {
    const machineArn = await expressMachine('unlogged', 'OFF');
    const error = await listExecutions(t.sfn, machineArn).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DelivError);
    expect((error as DelivError).message).toBe('`unlogged` is an Express machine with logging off on local: its executions keep no history anywhere');
    expect((error as DelivError).hint).toContain('deliv deploy unlogged');
    expect((error as DelivError).code).toBe('LOGGING_OFF');
  });

  it('a log group deleted since the deploy says so, and that deploy makes it again', async () => {
    const machineArn = await expressMachine('orphan', 'ALL');
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/vendedlogs/states/orphan-Logs' }));
    const error = (await listExecutions(t.sfn, machineArn).catch((caught: unknown) => caught)) as DelivError;
    expect(error.message).toBe('the log group /aws/vendedlogs/states/orphan-Logs of `orphan` does not exist on local');
    expect(error.hint).toContain('`deliv deploy orphan` creates it');
    expect(error.code).toBe('LOG_GROUP_NOT_FOUND');
  });

  it('at level ERROR only failures are listed, and the reader says what the level leaves out', async () => {
    const machineArn = await expressMachine('failures', 'ERROR');
    await run(machineArn, 'fine', true);
    const failed = await run(machineArn, 'refused', false);
    const listed = await listExecutions(t.sfn, machineArn);
    expect(listed.map((execution) => [execution.executionArn, execution.status])).toEqual([[failed, 'FAILED']]);
    expect(await loggingNotes(t.sfn, [machineArn])).toEqual([
      '`failures` logs at level ERROR: only failures are in /aws/vendedlogs/states/failures-Logs, not whole histories; level ALL logs every event',
    ]);
  });
});
