/**
 * Express executions on an AWS target, through the built CLI and the real SDK
 * clients: the Step Functions fake for the machine, the CloudWatch Logs fake
 * for its log group, holding the log events AWS writes for each execution
 * (every value a string but `details`). deploy creates the group with its
 * retention; ls, logs and explain read the runs back across pages of
 * FilterLogEvents; a denied read, a missing group and logging turned off each
 * say what is wrong and the fix.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { startFakeLogs, type FakeLogs } from '../helpers/fake-logs.js';
import { FAKE_ACCOUNT, startFakeSfn, type FakeSfn } from '../helpers/fake-sfn.js';

const REGION = 'eu-west-1';
const GROUP = '/aws/vendedlogs/states/parcels-Logs';
const QUOTE = `arn:aws:lambda:${REGION}:${FAKE_ACCOUNT}:function:quote`;
let sfn: FakeSfn;
let logs: FakeLogs;
let project: { dir: string; cleanup: () => void };
let home: { dir: string; cleanup: () => void };

const deliv = (args: string[]) =>
  runCli(args, {
    cwd: project.dir,
    env: {
      HOME: home.dir,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
    },
  });

const executionArn = (name: string) => `arn:aws:states:${REGION}:${FAKE_ACCOUNT}:express:parcels:${name}:7d1a3c52-9b0e-4f7c-a1d2-${name.padEnd(12, '0').slice(0, 12)}`;

/** One execution's log events as Step Functions writes them at level ALL with execution data. */
function loggedRun(name: string, startedAt: number, outcome: 'ok' | 'no-courier') {
  const arn = executionArn(name);
  const input = JSON.stringify({ parcel: name, zone: outcome === 'ok' ? 12 : 75 });
  const events: Array<{ type: string; details: Record<string, unknown> }> = [
    { type: 'ExecutionStarted', details: { input, inputDetails: { truncated: false }, roleArn: `arn:aws:iam::${FAKE_ACCOUNT}:role/parcels-sfn` } },
    { type: 'PassStateEntered', details: { name: 'Route', input, inputDetails: { truncated: false } } },
    { type: 'PassStateExited', details: { name: 'Route', output: input, outputDetails: { truncated: false } } },
    { type: 'TaskStateEntered', details: { name: 'Quote', input, inputDetails: { truncated: false } } },
    { type: 'TaskScheduled', details: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: JSON.stringify({ FunctionName: QUOTE, Payload: JSON.parse(input) }) } },
    { type: 'TaskStarted', details: { resourceType: 'lambda', resource: 'invoke' } },
  ];
  if (outcome === 'ok') {
    const output = JSON.stringify({ parcel: name, price: 4.2 });
    events.push(
      { type: 'TaskSucceeded', details: { resourceType: 'lambda', resource: 'invoke', output, outputDetails: { truncated: false } } },
      { type: 'TaskStateExited', details: { name: 'Quote', output, outputDetails: { truncated: false } } },
      { type: 'ExecutionSucceeded', details: { output, outputDetails: { truncated: false } } },
    );
  } else {
    events.push(
      { type: 'TaskFailed', details: { resourceType: 'lambda', resource: 'invoke', error: 'Quote.NoCourier', cause: 'no courier serves zone 75' } },
      { type: 'ExecutionFailed', details: { error: 'Quote.NoCourier', cause: 'no courier serves zone 75' } },
    );
  }
  return events.map((event, index) => ({
    timestamp: startedAt + index * 20,
    logStreamName: `states/parcels/${new Date(startedAt).toISOString().slice(0, 16).replace(/[T:]/g, '-')}/3a1c9e07`,
    message: JSON.stringify({
      id: String(index + 1),
      type: event.type,
      details: event.details,
      previous_event_id: String(index),
      event_timestamp: String(startedAt + index * 20),
      execution_arn: arn,
      redrive_count: '0',
    }),
  }));
}

function writeProject(logging: string) {
  writeFileSync(
    path.join(project.dir, 'deliv.yaml'),
    [
      'name: parcels',
      'stateMachines:',
      '  parcels:',
      '    definition: statemachines/parcels.asl.yaml',
      '    type: EXPRESS',
      `    logging: ${logging}`,
      'targets:',
      '  prod:',
      '    kind: aws',
      `    region: ${REGION}`,
      `    endpoint: ${sfn.url}`,
      `    roleArn: arn:aws:iam::${FAKE_ACCOUNT}:role/parcels-sfn`,
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  sfn = await startFakeSfn({ region: REGION });
  // Two events a page, and an empty first page: the reader must follow nextToken to the end.
  logs = await startFakeLogs({ region: REGION, account: FAKE_ACCOUNT, pageSize: 2, emptyFirstPage: true });
  project = tempDir();
  home = tempDir('deliv-home-');
  mkdirSync(path.join(project.dir, 'statemachines'));
  writeFileSync(
    path.join(project.dir, 'statemachines/parcels.asl.yaml'),
    `StartAt: Route\nStates:\n  Route:\n    Type: Pass\n    Next: Quote\n  Quote:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Parameters:\n      FunctionName: ${QUOTE}\n      Payload.$: $\n    OutputPath: $.Payload\n    End: true\n`,
  );
  writeProject('{ level: ALL, includeExecutionData: true, retentionInDays: 14 }');
});

afterEach(() => logs.intercept(undefined));

afterAll(async () => {
  await Promise.all([sfn.close(), logs.close()]);
  project.cleanup();
  home.cleanup();
});

describe('an Express machine on AWS, read through its CloudWatch Logs log group', () => {
  it('deploy creates the log group with its retention and points the machine at it', async () => {
    const result = await deliv(['deploy', '--target', 'prod']);
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain(`created log group ${GROUP} (level ALL, with execution data; keeps events 14 days)`);
    expect(logs.calls.map((call) => call.action)).toEqual(['DescribeLogGroups', 'CreateLogGroup', 'DescribeLogGroups', 'PutRetentionPolicy']);
    expect(logs.groups.get(GROUP)?.retentionInDays).toBe(14);
    const create = sfn.calls.find((call) => call.action === 'CreateStateMachine')!;
    expect(create.body.loggingConfiguration).toEqual({ level: 'ALL', includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: `arn:aws:logs:${REGION}:${FAKE_ACCOUNT}:log-group:${GROUP}:*` } }] });
  });

  it('ls shows the latest run and logs every run, paging FilterLogEvents to the end', async () => {
    const now = Date.now();
    logs.put(GROUP, [...loggedRun('first', now - 60_000, 'ok'), ...loggedRun('second', now - 40_000, 'no-courier'), ...loggedRun('third', now - 20_000, 'ok')]);
    logs.calls.length = 0;
    const listed = await deliv(['ls', '--target', 'prod', '--json']);
    expect(listed.exitCode, listed.stderr + listed.stdout).toBe(0);
    const machines = (JSON.parse(listed.stdout) as { stateMachines: Array<{ name: string; type: string; latestExecution?: { name: string; status: string } }> }).stateMachines;
    expect(machines.find((machine) => machine.name === 'parcels')).toMatchObject({ type: 'EXPRESS', latestExecution: { name: 'third', status: 'SUCCEEDED' } });
    // Six lifecycle events at two a page, after an empty first page: every token followed.
    const filters = logs.calls.filter((call) => call.action === 'FilterLogEvents');
    expect(filters.length).toBeGreaterThanOrEqual(4);
    expect(filters.slice(1).every((call) => typeof call.body.nextToken === 'string')).toBe(true);

    const result = await deliv(['logs', 'parcels', '--target', 'prod', '--json']);
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { executionArn: string; type: string });
    const ends = events.filter((event) => /^Execution(Succeeded|Failed)$/.test(event.type)).map((event) => [event.executionArn, event.type]);
    expect(ends).toEqual([
      [executionArn('first'), 'ExecutionSucceeded'],
      [executionArn('second'), 'ExecutionFailed'],
      [executionArn('third'), 'ExecutionSucceeded'],
    ]);
  });

  it('logs prints one execution’s whole history, every page of it, in order', async () => {
    const result = await deliv(['logs', executionArn('second'), '--target', 'prod', '--json']);
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; type: string; executionFailedEventDetails?: unknown });
    expect(events.map((event) => event.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed']);
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)!.executionFailedEventDetails).toEqual({ error: 'Quote.NoCourier', cause: 'no courier serves zone 75' });
  });

  it('explain finds the failing state, its input, error and cause in the logged events', async () => {
    const result = await deliv(['explain', executionArn('second'), '--target', 'prod', '--offline', '--json']);
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    const explained = JSON.parse(result.stdout) as { context: Record<string, unknown> };
    expect(explained.context).toMatchObject({
      workflowType: 'EXPRESS',
      error: 'Quote.NoCourier',
      cause: 'no courier serves zone 75',
      failingState: { name: 'Quote', type: 'Task', input: { parcel: 'second', zone: 75 } },
      path: ['Route', 'Quote'],
    });
  });

  it('a denied read names the action, the log group and the permission to grant', async () => {
    logs.intercept((call) =>
      call.action === 'FilterLogEvents'
        ? {
            code: 'AccessDeniedException',
            message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/developer is not authorized to perform: logs:FilterLogEvents on resource: arn:aws:logs:${REGION}:${FAKE_ACCOUNT}:log-group:${GROUP}:log-stream: because no identity-based policy allows the logs:FilterLogEvents action`,
          }
        : undefined,
    );
    const result = await deliv(['logs', 'parcels', '--target', 'prod']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cannot read the Express executions of \`parcels\` on prod: access denied: logs:FilterLogEvents on arn:aws:logs:${REGION}:${FAKE_ACCOUNT}:log-group:${GROUP}:log-stream:`);
    expect(result.stderr).toContain(`allow logs:FilterLogEvents on arn:aws:logs:${REGION}:${FAKE_ACCOUNT}:log-group:${GROUP}:* in the IAM policy of arn:aws:iam::${FAKE_ACCOUNT}:user/developer`);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('a log group that is gone says so and that a deploy makes it again', async () => {
    const kept = logs.groups.get(GROUP)!;
    logs.groups.delete(GROUP);
    try {
      const result = await deliv(['logs', 'parcels', '--target', 'prod']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`the log group ${GROUP} of \`parcels\` does not exist on prod`);
      expect(result.stderr).toContain('`deliv deploy parcels --target prod` creates it');
    } finally {
      logs.groups.set(GROUP, kept);
    }
  });

  it('with logging turned off, it says the runs cannot be read and how to turn it on', async () => {
    writeProject('{ level: OFF }');
    const deployed = await deliv(['deploy', '--target', 'prod']);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('with logging off on prod: AWS keeps no history of Express executions');
    // An update without loggingConfiguration would keep the old one: OFF is sent.
    expect(sfn.calls.filter((call) => call.action === 'UpdateStateMachine').at(-1)!.body.loggingConfiguration).toEqual({ level: 'OFF', includeExecutionData: false });
    const result = await deliv(['logs', 'parcels', '--target', 'prod']);
    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.stderr).toContain('`parcels` is an Express machine with logging off on prod: its executions keep no history anywhere');
    expect(result.stderr).toContain('set `logging: { level: ALL, includeExecutionData: true }` under stateMachines.parcels');
  });
});
