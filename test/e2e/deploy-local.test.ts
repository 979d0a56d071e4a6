/**
 * The daily loop on the embedded emulator, as a user runs it: init, deploy,
 * redeploy, update with a canary, start --wait, logs --follow and --json.
 */
import { appendFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeStateMachineAliasCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { spawnCli } from '../helpers/spawn-cli.js';

const MACHINE = 'order-fulfillment';
const ARN = `arn:aws:states:us-east-1:123456789012:stateMachine:${MACHINE}`;
let workspace: { dir: string; cleanup: () => void };
let project: string;
let endpoint: string;

const deliv = (args: string[]) => runCli(args, { cwd: project });

beforeAll(async () => {
  workspace = tempDir();
  project = path.join(workspace.dir, 'shop');
  const init = await runCli(['init', project, '--yes', '--template', MACHINE], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // A second machine that succeeds or fails by its input alone, beside the template's.
  writeFileSync(
    path.join(project, 'statemachines/payments.asl.yaml'),
    [
      'StartAt: Check',
      'States:',
      '  Check:',
      '    Type: Choice',
      '    Choices:',
      '      - Variable: $.amount',
      '        NumericGreaterThan: 1000',
      '        Next: Declined',
      '    Default: Charge',
      '  Charge:',
      '    Type: Pass',
      '    Result: {charged: true}',
      '    ResultPath: $.payment',
      '    Next: Done',
      '  Done:',
      '    Type: Succeed',
      '  Declined:',
      '    Type: Fail',
      '    Error: Payment.Declined',
      '    Cause: amount over the limit',
      '',
    ].join('\n'),
  );
  const config = parse(readFileSync(path.join(project, 'deliv.yaml'), 'utf8'));
  config.stateMachines.payments = { definition: 'statemachines/payments.asl.yaml', type: 'STANDARD' };
  writeFileSync(path.join(project, 'deliv.yaml'), stringify(config));
  // The handlers import @aws-sdk/client-sfn: `npm install` in a real project; deliv's own copy here, offline.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
  expect(started.exitCode, started.stderr).toBe(0);
  const info = JSON.parse(readFileSync(path.join(project, '.deliv/emulator.json'), 'utf8')) as { port: number };
  endpoint = `http://127.0.0.1:${info.port}`;
});

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

async function aliasRouting() {
  const sfn = new SFNClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const alias = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${ARN}:live` }));
  return alias.routingConfiguration;
}

describe('deploy to the local emulator', () => {
  it('creates the machine with version 1 behind the live alias', async () => {
    const result = await deliv(['deploy']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${MACHINE} created on local`);
    expect(result.stdout).toContain(`${ARN}:1`);
    expect(result.stdout).not.toContain('console.aws');
    expect(await aliasRouting()).toEqual([{ stateMachineVersionArn: `${ARN}:1`, weight: 100 }]);
    // A new machine adds its whole estimate to the bill, in one line.
    expect(result.stdout).toMatch(/^Cost: \$0\.00 → \$[\d,.]+ a month \(\+\$[\d,.]+\) at the workload of deliv\.yaml, bundled prices/m);
  });

  it('says unchanged on a second deploy', async () => {
    const result = await deliv(['deploy', MACHINE]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${MACHINE} unchanged on local (version 1, alias live 100% on version 1)`);
    expect(result.stdout).not.toContain('Cost:');
  });

  it('updates with a canary after a dry run shows the change', async () => {
    appendFileSync(path.join(project, `statemachines/${MACHINE}.asl.yaml`), '\nTimeoutSeconds: 3600\n');
    const dry = await deliv(['deploy', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would be updated');
    expect(dry.stdout).toMatch(/\+ +"TimeoutSeconds": 3600/);
    // A timeout changes no transition: the bill stays where it was.
    expect(dry.stdout).toMatch(/^Cost: (\$[\d,.]+) → \1 a month \(\+\$0\.00\)/m);
    expect((await deliv(['deploy', '--dry-run', '--no-cost'])).stdout).not.toContain('Cost:');

    const result = await deliv(['deploy', '--canary', '25']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${MACHINE} updated on local`);
    expect(result.stdout).toContain('25% on version 2, 75% on version 1');
    expect(await aliasRouting()).toEqual(
      expect.arrayContaining([
        { stateMachineVersionArn: `${ARN}:2`, weight: 25 },
        { stateMachineVersionArn: `${ARN}:1`, weight: 75 },
      ]),
    );
  });
});

describe('start and logs on the local emulator', () => {
  it('start --wait exits 0 when the execution succeeds', async () => {
    const result = await deliv(['start', 'payments', '--input', '{"amount": 25}', '--wait', '--name', 'pay-ok-1']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Charge +PassStateExited/);
    expect(result.stdout).toMatch(/SUCCEEDED in /);
    expect(result.stdout).toContain('{"amount":25,"payment":{"charged":true}}');
  });

  it("start --wait exits 0 when the template's order goes through, its courier answering the task token", async () => {
    const result = await deliv(['start', MACHINE, '--input', `events/${MACHINE}/order-ok.json`, '--wait']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/AssignCourier +TaskSucceeded/);
    expect(result.stdout).toMatch(/SUCCEEDED in /);
  });

  it('start --wait exits 1 when the card is declined, pointing at explain', async () => {
    const result = await deliv(['start', MACHINE, '--input', `events/${MACHINE}/order-fail-card-declined.json`, '--wait', '--alias', 'live']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/ChargePayment +TaskFailed +PaymentDeclined/);
    expect(result.stdout).toMatch(/hint: deliv explain arn:aws:states:us-east-1:123456789012:execution:order-fulfillment:/);
    expect(result.stdout).toMatch(/FAILED in /);
  });

  it('logs --follow shows an execution started after it began', async () => {
    const follower = spawnCli(['logs', 'payments', '--follow', '--limit', '1'], { cwd: project });
    await follower.waitFor(/ExecutionSucceeded/);
    const started = await deliv(['start', 'payments', '--input', '{"amount": 5000}', '--name', 'followed-1']);
    expect(started.exitCode, started.stderr).toBe(0);
    await follower.waitFor(/followed-1 +\S+ +ExecutionFailed/);
    expect(await follower.stop('SIGINT')).toBe(130);
    const lines = follower.output().stdout.split('\n').filter((line) => line.startsWith('followed-1'));
    expect(lines.pop()).toMatch(/^followed-1 +hint: deliv explain arn:aws:states:us-east-1:123456789012:execution:payments:followed-1$/);
    expect(lines.map((line) => /\b[A-Z]\w+(Started|Entered|Exited|Failed)\b/.exec(line)?.[0])).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(lines.at(-1)).toContain('Payment.Declined: amount over the limit');
  });

  it('logs --json prints the execution history as AWS events, one per line', async () => {
    const result = await deliv(['logs', 'payments', '--json', '--limit', '1', '--status', 'SUCCEEDED']);
    expect(result.exitCode, result.stderr).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', id: 1, executionArn: expect.stringContaining(':execution:payments:pay-ok-1') });
    expect(events.at(-1).type).toBe('ExecutionSucceeded');
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));
  });

  it('ls lists the machine with its latest execution', async () => {
    const result = await deliv(['ls']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/order-fulfillment +STANDARD +FAILED/);
    expect(result.stdout).toMatch(/payments +STANDARD +FAILED +\S+ ago +followed-1/);
  });
});
