/**
 * The emulator's CloudWatch Logs, through @aws-sdk/client-cloudwatch-logs as
 * a user's tools reach it: machines that log write each execution's events
 * in AWS's Express log format and stream naming, and the Logs API pages,
 * filters and tails them.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateStateMachineCommand, StartExecutionCommand, StartSyncExecutionCommand, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionFilterPattern, logGroupArn, parseExecutionLogEvent, toHistoryEvent } from '../../src/aws/execution-logs.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
let logs: CloudWatchLogsClient;
const partition = { region: 'us-east-1', account: '123456789012' };

beforeAll(async () => {
  t = await testEmulator();
  logs = new CloudWatchLogsClient({ endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  logs.destroy();
  await t.close();
});

const ROUTE = {
  StartAt: 'Route',
  States: {
    Route: { Type: 'Choice', Choices: [{ And: [{ Variable: '$.fail', IsPresent: true }, { Variable: '$.fail', BooleanEquals: true }], Next: 'Refuse' }], Default: 'Sort' },
    Sort: { Type: 'Pass', Result: { hub: 'LHR' }, ResultPath: '$.route', End: true },
    Refuse: { Type: 'Fail', Error: 'Parcel.Refused', Cause: 'the address is not served' },
  },
};

async function loggingMachine(name: string, level: string, includeExecutionData = true, type: 'EXPRESS' | 'STANDARD' = 'EXPRESS'): Promise<{ arn: string; group: string }> {
  const group = `/aws/vendedlogs/states/${name}-Logs`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  const created = await t.sfn.send(
    new CreateStateMachineCommand({
      name,
      type,
      roleArn: ROLE,
      definition: JSON.stringify(ROUTE),
      loggingConfiguration: { level: level as 'ALL', includeExecutionData, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroupArn(partition, group) } }] },
    }),
  );
  return { arn: created.stateMachineArn!, group };
}

async function allEvents(group: string, filterPattern?: string): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

describe('execution events in the log group', () => {
  it('an Express execution logs every event at level ALL, in the AWS format, in a states/<machine>/<minute>/<shard> stream', async () => {
    const { arn, group } = await loggingMachine('parcel-express', 'ALL');
    const started = await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"parcel":"P1"}' }));
    expect(started.status).toBe('SUCCEEDED');

    const events = await allEvents(group);
    const logged = events.map((event) => JSON.parse(event.message!) as Record<string, unknown>);
    expect(logged.map((event) => event.type)).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    // The fields and their order as AWS writes them; every value a string but details.
    expect(Object.keys(logged[0])).toEqual(['id', 'type', 'details', 'previous_event_id', 'event_timestamp', 'execution_arn', 'redrive_count']);
    expect(logged[0]).toMatchObject({ id: '1', previous_event_id: '0', execution_arn: started.executionArn, redrive_count: '0' });
    expect(logged[0].details).toMatchObject({ input: '{"parcel":"P1"}', inputDetails: { truncated: false }, roleArn: ROLE });
    expect(logged[3].details).toMatchObject({ name: 'Sort' });
    expect(logged.at(-1)!.details).toMatchObject({ output: '{"parcel":"P1","route":{"hub":"LHR"}}' });
    expect(events[0].timestamp).toBe(Number(logged[0].event_timestamp));
    expect(events[0].eventId).toMatch(/^\d{56}$/);
    expect(events[0].logStreamName).toMatch(/^states\/parcel-express\/\d{4}-\d\d-\d\d-\d\d-\d\d\/[0-9a-f]{8}$/);

    // Read back, the events are the GetExecutionHistory shape the readers share.
    const history = logged.map((event) => toHistoryEvent(parseExecutionLogEvent(JSON.stringify(event))!));
    expect(history[0]).toMatchObject({ id: 1, previousEventId: 0, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"parcel":"P1"}' } });
    expect(history[3]).toMatchObject({ type: 'PassStateEntered', stateEnteredEventDetails: { name: 'Sort' } });
    expect(history[0].timestamp).toBeInstanceOf(Date);
  });

  it('level ERROR keeps failures only; includeExecutionData false leaves inputs and outputs out', async () => {
    const { arn, group } = await loggingMachine('parcel-errors', 'ERROR', false);
    await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"fail":false}' }));
    const failed = await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"fail":true,"email":"a@b.c"}' }));
    expect(failed.status).toBe('FAILED');
    const logged = (await allEvents(group)).map((event) => JSON.parse(event.message!) as { type: string; details?: Record<string, unknown>; execution_arn: string });
    expect(logged.map((event) => event.type)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(logged.every((event) => event.execution_arn === failed.executionArn)).toBe(true);
    expect(logged[0].details).not.toHaveProperty('input');
    expect(logged[1].details).toEqual({ error: 'Parcel.Refused', cause: 'the address is not served' });
  });

  it('a Standard machine logs too when configured, asynchronous Express executions as well', async () => {
    const standard = await loggingMachine('parcel-standard', 'FATAL', true, 'STANDARD');
    const run = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: standard.arn, input: '{"fail":true}' }));
    await finished(t.sfn, run.executionArn!);
    const logged = (await allEvents(standard.group)).map((event) => JSON.parse(event.message!) as { type: string });
    expect(logged.map((event) => event.type)).toEqual(['ExecutionFailed']);

    const express = await loggingMachine('parcel-async', 'ALL');
    const started = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: express.arn, input: '{}' }));
    for (let i = 0; i < 200 && !(await allEvents(express.group)).some((event) => event.message!.includes('ExecutionSucceeded')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const mine = await allEvents(express.group, executionFilterPattern(started.executionArn!));
    expect(mine.map((event) => (JSON.parse(event.message!) as { type: string }).type).at(-1)).toBe('ExecutionSucceeded');
  });

  it('a logging configuration names exactly one log group that exists, as AWS checks it', async () => {
    const missing = { level: 'ALL' as const, includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroupArn(partition, '/nowhere') } }] };
    await expect(t.sfn.send(new CreateStateMachineCommand({ name: 'no-group', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify(ROUTE), loggingConfiguration: missing }))).rejects.toMatchObject({
      name: 'InvalidLoggingConfiguration',
    });
    await expect(t.sfn.send(new CreateStateMachineCommand({ name: 'no-destination', roleArn: ROLE, definition: JSON.stringify(ROUTE), loggingConfiguration: { level: 'ERROR' } }))).rejects.toMatchObject({
      name: 'InvalidLoggingConfiguration',
    });
    const { arn } = await loggingMachine('parcel-update', 'ALL');
    await expect(t.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, loggingConfiguration: missing }))).rejects.toMatchObject({ name: 'InvalidLoggingConfiguration' });
  });
});

describe('the CloudWatch Logs API', () => {
  it('creates groups and streams once, and describes them with AWS ARNs, paging with nextToken', async () => {
    for (const name of ['/deliv/a', '/deliv/b', '/deliv/c']) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: '/deliv/a' }))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/deliv/', limit: 2 }));
    expect(first.logGroups!.map((group) => group.logGroupName)).toEqual(['/deliv/a', '/deliv/b']);
    expect(first.logGroups![0]).toMatchObject({ arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/deliv/a:*', logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/deliv/a' });
    const second = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/deliv/', limit: 2, nextToken: first.nextToken }));
    expect(second.logGroups!.map((group) => group.logGroupName)).toEqual(['/deliv/c']);
    expect(second.nextToken).toBeUndefined();

    await logs.send(new CreateLogStreamCommand({ logGroupName: '/deliv/a', logStreamName: 'app' }));
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: '/deliv/a', logStreamName: 'app' }))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/deliv/none' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:123456789012:log-group:/deliv/a' }));
    expect(streams.logStreams!.map((stream) => stream.logStreamName)).toEqual(['app']);
  });

  it('GetLogEvents reads a stream from the head or the tail, forward and backward, and hands back the same token at the end', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/deliv/get' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/deliv/get', logStreamName: 's' }));
    const base = 1_800_000_000_000;
    await logs.send(new PutLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', logEvents: Array.from({ length: 25 }, (_, i) => ({ timestamp: base + i, message: `line ${i}` })) }));
    await expect(
      logs.send(new PutLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', logEvents: [{ timestamp: 2, message: 'b' }, { timestamp: 1, message: 'a' }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });

    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', limit: 10 }));
    expect(tail.events!.map((event) => event.message)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${15 + i}`));
    const earlier = await logs.send(new GetLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', limit: 10, nextToken: tail.nextBackwardToken }));
    expect(earlier.events![0].message).toBe('line 5');

    const read: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', limit: 10, startFromHead: true, nextToken: token }));
      read.push(...page.events!.map((event) => event.message!));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(read).toHaveLength(25);
    expect(read[24]).toBe('line 24');
    // New events appear behind the last forward token: this is how a stream is followed.
    await logs.send(new PutLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', logEvents: [{ timestamp: base + 30, message: 'later' }] }));
    const later = await logs.send(new GetLogEventsCommand({ logGroupName: '/deliv/get', logStreamName: 's', nextToken: token }));
    expect(later.events!.map((event) => event.message)).toEqual(['later']);
  });

  it('FilterLogEvents filters by pattern and time range and pages across many events', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/deliv/filter' }));
    for (const stream of ['one', 'two']) await logs.send(new CreateLogStreamCommand({ logGroupName: '/deliv/filter', logStreamName: stream }));
    const base = 1_800_000_000_000;
    const lines = (stream: string, offset: number) =>
      Array.from({ length: 1500 }, (_, i) => ({ timestamp: base + i * 2 + offset, message: JSON.stringify({ type: i % 10 === 0 ? 'TaskFailed' : 'TaskSucceeded', n: i, stream, details: { error: i % 10 === 0 ? 'Courier.Unavailable' : null } }) }));
    await logs.send(new PutLogEventsCommand({ logGroupName: '/deliv/filter', logStreamName: 'one', logEvents: lines('one', 0) }));
    await logs.send(new PutLogEventsCommand({ logGroupName: '/deliv/filter', logStreamName: 'two', logEvents: lines('two', 1) }));

    const everything = await allEvents('/deliv/filter');
    expect(everything).toHaveLength(3000);
    // Interleaved by time across streams, each event once.
    expect(everything.slice(0, 4).map((event) => event.logStreamName)).toEqual(['one', 'two', 'one', 'two']);
    expect(new Set(everything.map((event) => event.eventId)).size).toBe(3000);

    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/deliv/filter', limit: 7 }));
    expect(page.events).toHaveLength(7);
    expect(page.nextToken).toBeDefined();

    expect(await allEvents('/deliv/filter', '{ $.type = "TaskFailed" }')).toHaveLength(300);
    expect(await allEvents('/deliv/filter', '{ ($.type = "TaskFailed") && ($.stream = "two") }')).toHaveLength(150);
    expect(await allEvents('/deliv/filter', '{ $.details.error = "Courier.*" && $.n < 100 }')).toHaveLength(20);
    expect(await allEvents('/deliv/filter', '{ $.details.error IS NULL }')).toHaveLength(2700);
    expect(await allEvents('/deliv/filter', '{ $.missing NOT EXISTS }')).toHaveLength(3000);
    expect(await allEvents('/deliv/filter', 'TaskFailed "\\"stream\\":\\"one\\""')).toHaveLength(150);
    expect(await allEvents('/deliv/filter', '?Courier ?nothing')).toHaveLength(300);
    expect(await allEvents('/deliv/filter', 'TaskSucceeded -"\\"stream\\":\\"two\\""')).toHaveLength(1350);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/deliv/filter', filterPattern: '{ $.type = ' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });

    const window = await logs.send(new FilterLogEventsCommand({ logGroupName: '/deliv/filter', startTime: base + 10, endTime: base + 19 }));
    expect(window.events!.map((event) => event.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => base + 10 + i));
    const one = await logs.send(new FilterLogEventsCommand({ logGroupName: '/deliv/filter', logStreamNames: ['one'], endTime: base + 5 }));
    expect(one.events!.map((event) => event.logStreamName)).toEqual(['one', 'one', 'one']);
  });

  it('keeps a group\'s events only as long as its retention: older ones are gone from every read', async () => {
    const group = '/deliv/retention';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'runs' }));
    const day = 86_400_000;
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'runs', logEvents: [{ timestamp: now - 10 * day, message: 'ten days old' }, { timestamp: now - 2 * day, message: 'two days old' }, { timestamp: now, message: 'new' }] }));
    const messages = async () => (await allEvents(group)).map((event) => event.message);
    const described = async () => (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups![0];
    // No retention: CloudWatch Logs keeps events forever.
    expect(await messages()).toEqual(['ten days old', 'two days old', 'new']);
    expect((await described()).retentionInDays).toBeUndefined();

    // Only the values CloudWatch Logs offers are accepted, as AWS validates them.
    await expect(logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 2 }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Member must satisfy enum value set: [1, 3, 5, 7, 14,') });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 7 }));
    expect(await messages()).toEqual(['two days old', 'new']);
    const stream = (await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'runs', startFromHead: true }))).events!.map((event) => event.message);
    expect(stream).toEqual(['two days old', 'new']);
    // 26 bytes an event plus its UTF-8 message, for what is left.
    expect(await described()).toMatchObject({ retentionInDays: 7, storedBytes: 'two days old'.length + 26 + 'new'.length + 26 });

    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: group }));
    expect((await described()).retentionInDays).toBeUndefined();
  });
});
