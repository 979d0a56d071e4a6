/**
 * `deliv test --from-execution`: a failed run on the local emulator, and a run served by
 * a fake AWS Step Functions endpoint, each become a replay test that passes offline.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compile, TaskFailure, VirtualClock } from '../../src/engine/index.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { startFakeSfn, type FakeSfn } from '../helpers/fake-sfn.js';

let workspace: { dir: string; cleanup: () => void };
beforeAll(() => {
  workspace = tempDir('deliv-e2e-replay-');
});
afterAll(() => workspace.cleanup());

describe('a failed local run replayed as a test', () => {
  let project: string;
  const deliv = (args: string[]) => runCli(args, { cwd: project });
  beforeAll(async () => {
    project = path.join(workspace.dir, 'shop');
    expect((await runCli(['init', project, '--yes', '--template', 'order-fulfillment'], { cwd: workspace.dir })).exitCode).toBe(0);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
    expect(started.exitCode, started.stderr).toBe(0);
  });
  afterAll(async () => {
    await deliv(['local', 'stop']);
  });

  it('records the declined card run (its handlers’ results as mocks) and the replay passes offline', async () => {
    expect((await deliv(['deploy'])).exitCode).toBe(0);
    const run = await deliv(['start', 'order-fulfillment', '--input', 'events/order-fulfillment/order-fail-card-declined.json', '--wait']);
    expect(run.exitCode).toBe(1);
    const executionArn = /Started (arn:aws:states:\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(executionArn).toMatch(/:execution:order-fulfillment:/);

    const explained = await deliv(['explain', executionArn, '--offline']);
    expect(explained.stdout).toContain(`Replay it as a test: deliv test --from-execution ${executionArn}`);

    const recorded = await deliv(['test', '--from-execution', executionArn, '--out', 'tests/replays.test.yaml', '--json']);
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ file: 'tests/replays.test.yaml', machine: 'order-fulfillment', created: true, status: 'FAILED' });
    const file = parse(readFileSync(path.join(project, 'tests/replays.test.yaml'), 'utf8')) as { cases: any[] };
    const [replay] = file.cases;
    expect(replay.expect.error).toBe('OrderFailed');
    expect(replay.expect.path).toContain('RefundPayment');
    expect(replay.states.ChargePayment.mock.throw.error).toBe('PaymentDeclined');
    expect(replay.states.ValidateOrder.mock.return.Payload.orderId).toBe('ORD-1003');
    // Entered beside the failing charge: mocked as it ended, or never answering if it was still running.
    expect(['never' in replay.states.ReserveStock.mock, 'return' in replay.states.ReserveStock.mock]).toContain(true);

    // The emulator is stopped: the replay runs on the engine alone.
    await deliv(['local', 'stop']);
    const replayed = await deliv(['test', 'tests/replays.test.yaml']);
    expect(replayed.stdout).toContain(`✓ ${replay.name}`);
    expect(replayed.exitCode, replayed.stdout).toBe(0);
    // Six CLI runs in sequence (deploy, start, explain, record, stop, replay): about 5 s each on a loaded machine.
  }, 120_000);
});

const DEFINITION = {
  StartAt: 'Charge',
  States: {
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'charge', 'Payload.$': '$' },
      Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 3 }],
      ResultSelector: { 'chargeId.$': '$.Payload.chargeId' },
      ResultPath: '$.charge',
      Next: 'Courier',
    },
    Courier: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, HeartbeatSeconds: 30, ResultPath: '$.courier', End: true },
  },
};

/** What AWS would have recorded: the engine's history of a run throttled once whose courier never answers. */
async function recordedHistory(executionArn: string): Promise<HistoryEvent[]> {
  const compiled = compile(JSON.stringify(DEFINITION));
  if (!compiled.ok) throw new Error('definition');
  const events: HistoryEvent[] = [];
  let calls = 0;
  const clock = new VirtualClock({ start: Date.parse('2026-04-01T08:00:00Z') });
  await compiled.machine.start({
    executionArn,
    name: executionArn.split(':').pop() as string,
    stateMachineArn: executionArn.replace(':execution:', ':stateMachine:').split(':').slice(0, 7).join(':'),
    stateMachineName: 'orders',
    roleArn: 'arn:aws:iam::111122223333:role/orders',
    input: { orderId: 'ORD-7' },
    clock,
    onEvent: (event) => events.push(event),
    runner: {
      async run(request) {
        if (request.stateName === 'Charge') {
          calls += 1;
          if (calls === 1) throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate exceeded');
          return { Payload: { chargeId: 'ch_7' }, StatusCode: 200 };
        }
        return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
      },
    },
  }).result;
  return events;
}

describe('a run on AWS (fake endpoint) replayed as a test', () => {
  let fake: FakeSfn;
  let project: string;
  const ARN = 'arn:aws:states:us-east-1:111122223333:execution:orders:nightly-42';
  beforeAll(async () => {
    fake = await startFakeSfn({ region: 'us-east-1' });
    fake.seedMachine({ arn: 'arn:aws:states:us-east-1:111122223333:stateMachine:orders', definition: DEFINITION });
    const events = await recordedHistory(ARN);
    fake.seedExecution({ arn: ARN, machineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:orders', status: 'FAILED', startDate: Date.parse('2026-04-01T08:00:00Z') / 1000, input: '{"orderId":"ORD-7"}', events });
    project = path.join(workspace.dir, 'aws');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(project);
    writeFileSync(path.join(project, 'orders.asl.json'), JSON.stringify(DEFINITION));
    writeFileSync(path.join(project, 'deliv.yaml'), ['name: demo', 'stateMachines:', '  orders:', '    definition: orders.asl.json', 'targets:', '  prod:', '    kind: aws', '    region: us-east-1', ''].join('\n'));
  });
  afterAll(async () => fake.close());

  it('mocks the throttled attempt, then the success, and replays the silent callback as a heartbeat timeout', async () => {
    const env = { AWS_ENDPOINT_URL_SFN: fake.url, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
    const recorded = await runCli(['test', '--from-execution', ARN, '--target', 'prod'], { cwd: project, env });
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    expect(recorded.stdout).toContain('added case "replay of nightly-42" in tests/orders.test.yaml (new file)');
    const [replay] = (parse(readFileSync(path.join(project, 'tests/orders.test.yaml'), 'utf8')) as { cases: any[] }).cases;
    expect(replay.states).toEqual({
      Charge: { mock: [{ throw: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }, { return: { Payload: { chargeId: 'ch_7' }, StatusCode: 200 } }] },
      Courier: { callback: 'none' },
    });
    expect(replay.expect).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout', path: ['Charge', 'Courier'], retries: { Charge: 1 } });
    expect(replay.context).toEqual({ executionName: 'nightly-42', startTime: '2026-04-01T08:00:00.000Z' });
    const replayed = await runCli(['test'], { cwd: project });
    expect(replayed.exitCode, replayed.stdout).toBe(0);
    expect(replayed.stdout).toContain('1 passed, 0 failed');
  });
});

describe('an Express run replayed as a test, read from its CloudWatch Logs', () => {
  let project: string;
  const deliv = (args: string[]) => runCli(args, { cwd: project });
  beforeAll(async () => {
    project = path.join(workspace.dir, 'parcels');
    expect((await runCli(['init', project, '--yes', '--template', 'parcel-routing'], { cwd: workspace.dir })).exitCode).toBe(0);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
    expect(started.exitCode, started.stderr).toBe(0);
  });
  afterAll(async () => {
    await deliv(['local', 'stop']);
  });

  it('records the failed Express run from its logged events, and the replay passes offline', async () => {
    expect((await deliv(['deploy'])).exitCode).toBe(0);
    const run = await deliv(['start', 'parcel-routing', '--input', 'events/parcel-routing/parcels-fail-too-many-unroutable.json', '--wait']);
    expect(run.exitCode).toBe(1);
    const executionArn = /(arn:aws:states:\S+:express:parcel-routing:\S+)/.exec(`${run.stdout}\n${run.stderr}`)?.[1] ?? '';
    expect(executionArn).not.toBe('');
    const recorded = await deliv(['test', '--from-execution', executionArn, '--out', 'tests/replays.test.yaml', '--json']);
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ machine: 'parcel-routing', status: 'FAILED' });
    await deliv(['local', 'stop']);
    const replayed = await deliv(['test', 'tests/replays.test.yaml']);
    expect(replayed.exitCode, replayed.stdout).toBe(0);
    expect(replayed.stdout).toMatch(/✓ replay of /);
    // Five CLI runs in sequence (deploy, start, record, stop, replay).
  }, 120_000);
});
