/**
 * The AWS CLI's `aws logs` against the emulator's CloudWatch Logs, as a user
 * types it: v2 (Debian's awscli) with `aws logs tail --follow` picking up a
 * run started after it, and v1 where installed. The emulator runs in its own
 * process; the CLI is spawned asynchronously so nothing blocks it.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateStateMachineCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logGroupArn } from '../../src/aws/execution-logs.js';
import { AWS_CLI_V1, AWS_CLI_V2, awsClientEnv } from '../helpers/aws-clients.js';
import { tempDir } from '../helpers/cli.js';
import { spawnEmulator, type ChildEmulator } from '../helpers/emulator-child.js';
import { ROLE, sfnClient } from '../helpers/emulator.js';

const run = promisify(execFile);
const V2 = AWS_CLI_V2;
const V1 = AWS_CLI_V1;
const GROUP = '/aws/vendedlogs/states/parcel-routing-Logs';

const { dir, cleanup } = tempDir('deliv-aws-logs-');
let emulator: ChildEmulator;
let machineArn: string;
// Python buffers a pipe: without PYTHONUNBUFFERED, tail's lines arrive only when it exits.
const cliEnv = () => awsClientEnv({ PYTHONUNBUFFERED: '1' });

beforeAll(async () => {
  emulator = await spawnEmulator(dir, '0');
  const logs = new CloudWatchLogsClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  logs.destroy();
  const sfn = sfnClient(emulator.endpoint);
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'parcel-routing',
      type: 'EXPRESS',
      roleArn: ROLE,
      definition: JSON.stringify({ StartAt: 'Sort', States: { Sort: { Type: 'Pass', Result: 'LHR', ResultPath: '$.hub', End: true } } }),
      loggingConfiguration: { level: 'ALL', includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroupArn({ region: 'us-east-1', account: '123456789012' }, GROUP) } }] },
    }),
  );
  machineArn = created.stateMachineArn!;
  await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn, name: 'first', input: '{"parcel":"P1"}' }));
  sfn.destroy();
});
afterAll(async () => {
  await emulator?.stop();
  cleanup();
});

async function startRun(name: string): Promise<string> {
  const sfn = sfnClient(emulator.endpoint);
  const started = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn, name, input: `{"parcel":"${name}"}` }));
  sfn.destroy();
  return started.executionArn!;
}

describe.skipIf(!existsSync(V2))('aws logs (CLI v2)', () => {
  it('describe-log-groups, describe-log-streams, filter-log-events and get-log-events', async () => {
    const aws = async (...args: string[]) => JSON.parse((await run(V2, [...args, '--endpoint-url', emulator.endpoint, '--output', 'json'], { env: cliEnv() })).stdout) as Record<string, any>;
    const groups = await aws('logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/vendedlogs/states/');
    expect(groups.logGroups.map((group: { logGroupName: string }) => group.logGroupName)).toEqual([GROUP]);
    const streams = await aws('logs', 'describe-log-streams', '--log-group-name', GROUP, '--order-by', 'LastEventTime', '--descending');
    const stream = streams.logStreams[0].logStreamName as string;
    expect(stream).toMatch(/^states\/parcel-routing\/\d{4}-\d\d-\d\d-\d\d-\d\d\/[0-9a-f]{8}$/);
    const failed = await aws('logs', 'filter-log-events', '--log-group-name', GROUP, '--filter-pattern', '{ $.type = "ExecutionSucceeded" }');
    expect(failed.events.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(failed.events[0].message)).toMatchObject({ type: 'ExecutionSucceeded', details: { output: '{"parcel":"P1","hub":"LHR"}' } });
    // The CLI pages with nextToken by itself: a page size of 1 still returns everything.
    const paged = await aws('logs', 'filter-log-events', '--log-group-name', GROUP, '--page-size', '1');
    expect(paged.events.map((event: { message: string }) => JSON.parse(event.message).type)).toContain('PassStateExited');
    const read = await aws('logs', 'get-log-events', '--log-group-name', GROUP, '--log-stream-name', stream, '--start-from-head');
    expect(read.events[0].message).toContain('"type":"ExecutionStarted"');
  });

  it('aws logs tail --follow shows the events of a run started after it', { timeout: 60_000 }, async () => {
    const tail = spawn(V2, ['logs', 'tail', GROUP, '--follow', '--since', '1h', '--format', 'short', '--endpoint-url', emulator.endpoint], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    tail.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    tail.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 400 && !pattern.test(out); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      if (!pattern.test(out)) throw new Error(`aws logs tail printed no ${pattern}: ${out} ${err}`);
    };
    try {
      await waitFor(/:express:parcel-routing:first:/);
      const later = await startRun('later-run');
      await waitFor(new RegExp(later.split(':').at(-1)!));
      expect(out).toContain('later-run');
    } finally {
      tail.kill('SIGINT');
    }
  });
});

describe.skipIf(!existsSync(V1))('aws logs (CLI v1)', () => {
  it('filter-log-events by execution and get-log-events', async () => {
    const executionArn = await startRun('v1-run');
    const aws = async (...args: string[]) => JSON.parse((await run(V1, [...args, '--endpoint-url', emulator.endpoint, '--output', 'json'], { env: cliEnv() })).stdout) as Record<string, any>;
    const mine = await aws('logs', 'filter-log-events', '--log-group-name', GROUP, '--filter-pattern', `{ $.execution_arn = "${executionArn}" }`);
    expect(mine.events.map((event: { message: string }) => JSON.parse(event.message).type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    const streams = await aws('logs', 'describe-log-streams', '--log-group-name', GROUP);
    const read = await aws('logs', 'get-log-events', '--log-group-name', GROUP, '--log-stream-name', streams.logStreams[0].logStreamName, '--limit', '2');
    expect(read.events).toHaveLength(2);
    expect(read.nextBackwardToken).toMatch(/^b\//);
  });
});
