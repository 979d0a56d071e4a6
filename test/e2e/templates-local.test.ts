/**
 * Every sample event of every template on the embedded emulator: the ones with
 * `fail` in their name fail, the others succeed, each by its data alone, with the
 * local handlers (including a callback answered through the SDK) and the Default
 * mocks. Waits run at real speed here, as a user's first run does.
 */
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { DescribeExecutionCommand, DescribeStateMachineCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const TEMPLATES = ['order-fulfillment', 'parcel-routing', 'courier-dispatch', 'support-triage'];
const SAMPLE_TIME_LIMIT_MS = 10_000;
/** Why each failing sample fails: the step its name points at, not an accident on the way. */
const EXPECTED_ERRORS: Record<string, string> = {
  'order-fail-card-declined.json': 'OrderFailed',
  'order-fail-invalid-quantity.json': 'InvalidOrder',
  'order-fail-out-of-stock.json': 'OutOfStock',
  'parcels-fail-empty.json': 'NoParcels',
  'parcels-fail-too-many-unroutable.json': 'States.ExceedToleratedFailureThreshold',
  'dispatch-fail-nobody-accepts.json': 'NoCourierAvailable',
  'dispatch-fail-no-order-id.json': 'States.Runtime',
  'complaint-fail-no-text.json': 'InvalidComplaint',
  'complaint-fail-unknown-order.json': 'InvalidRefundRequest',
};

let workspace: { dir: string; cleanup: () => void };
let project: string;
let sfn: SFNClient;

beforeAll(async () => {
  workspace = tempDir('deliv-e2e-templates-');
  project = path.join(workspace.dir, 'all');
  const init = await runCli(['init', project, '--yes', ...TEMPLATES.flatMap((template) => ['--template', template])], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // The courier handler imports @aws-sdk/client-sfn: `npm install` in a real project, deliv's own copy here (offline).
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  const started = await runCli(['local', 'start', '--port', '0', '--detach'], { cwd: project });
  expect(started.exitCode, started.stderr).toBe(0);
  const { port } = JSON.parse(readFileSync(path.join(project, '.deliv/emulator.json'), 'utf8')) as { port: number };
  const deploy = await runCli(['deploy'], { cwd: project });
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
  sfn = new SFNClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, disableHostPrefix: true });
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  if (project) await runCli(['local', 'stop'], { cwd: project });
  workspace?.cleanup();
});

async function runToEnd(machine: string, input: string): Promise<{ status: string; error?: string; elapsedMs: number }> {
  const started = Date.now();
  const stateMachineArn = `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`;
  // An Express execution is not described (AWS refuses its ARN there): run it synchronously instead.
  if ((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).type === 'EXPRESS') {
    const sync = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input }));
    return { status: sync.status!, error: sync.error, elapsedMs: Date.now() - started };
  }
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return { status: execution.status!, error: execution.error, elapsedMs: Date.now() - started };
    if (Date.now() - started > 30_000) return { status: 'STILL RUNNING', elapsedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(TEMPLATES)('%s samples on the local emulator', (template) => {
  const events = readdirSync(path.join(REPO_ROOT, 'templates', template, 'events')).sort();

  it.each(events)('%s ends as its name says, within 10 s', async (event) => {
    const input = readFileSync(path.join(project, 'events', template, event), 'utf8');
    const result = await runToEnd(template, input);
    if (event.includes('fail')) expect(result, JSON.stringify(result)).toMatchObject({ status: 'FAILED', error: EXPECTED_ERRORS[event] });
    else expect(result, JSON.stringify(result)).toMatchObject({ status: 'SUCCEEDED' });
    expect(result.elapsedMs).toBeLessThan(SAMPLE_TIME_LIMIT_MS + 5_000);
  });
});
