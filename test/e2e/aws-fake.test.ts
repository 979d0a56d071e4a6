/**
 * The AWS code paths of deploy, start, logs, ls and destroy, run through the
 * built CLI against a fake Step Functions endpoint on 127.0.0.1 that speaks
 * the AWS wire format: the real SDK, credentials chain and error mapping.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { FAKE_ACCOUNT, startFakeSfn, type FakeExecution, type FakeSfn } from '../helpers/fake-sfn.js';
import { spawnCli } from '../helpers/spawn-cli.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
let fake: FakeSfn;
let project: { dir: string; cleanup: () => void };
let home: { dir: string; cleanup: () => void };

/** Credentials in the environment, no shared config files, no instance metadata: nothing from this machine leaks in. */
const env = (extra: Record<string, string | undefined> = {}) => ({
  HOME: home.dir,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '2',
  ...extra,
});
const deliv = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { cwd: project.dir, env: env(extra) });

function writeDefinition(result: string) {
  writeFileSync(
    path.join(project.dir, 'statemachines/orders.asl.yaml'),
    `StartAt: Validate\nStates:\n  Validate:\n    Type: Pass\n    Result: ${result}\n    Next: Done\n  Done:\n    Type: Succeed\n`,
  );
}

/** Plays what AWS would record for the execution: a pass state, then success or failure by the input. */
function runLikeAws(execution: FakeExecution) {
  setTimeout(() => {
    fake.appendEvents(execution.arn, [
      { type: 'PassStateEntered', stateEnteredEventDetails: { name: 'Validate', input: execution.input } },
      { type: 'PassStateExited', stateExitedEventDetails: { name: 'Validate', output: execution.input } },
    ]);
  }, 50);
  setTimeout(() => {
    const failing = JSON.parse(execution.input).fail === true;
    fake.appendEvents(
      execution.arn,
      failing
        ? [{ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Payment.Declined', cause: 'card ending 4242 was declined' } }]
        : [
            { type: 'SucceedStateEntered', stateEnteredEventDetails: { name: 'Done', input: execution.input } },
            { type: 'SucceedStateExited', stateExitedEventDetails: { name: 'Done', output: '{"ok":true}' } },
            { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{"ok":true}' } },
          ],
    );
  }, 400);
}

beforeAll(async () => {
  fake = await startFakeSfn({ region: 'eu-west-1' });
  fake.onStart(runLikeAws);
  project = tempDir();
  home = tempDir('deliv-home-');
  mkdirSync(path.join(project.dir, 'statemachines'));
  writeDefinition('{stage: one}');
  writeFileSync(
    path.join(project.dir, 'deliv.yaml'),
    [
      'name: fake-aws',
      'stateMachines:',
      '  orders:',
      '    definition: statemachines/orders.asl.yaml',
      '    type: STANDARD',
      'targets:',
      '  prod:',
      '    kind: aws',
      '    region: eu-west-1',
      `    endpoint: ${fake.url}`,
      `    roleArn: arn:aws:iam::${FAKE_ACCOUNT}:role/orders-sfn`,
      '  norole:',
      '    kind: aws',
      '    region: eu-west-1',
      `    endpoint: ${fake.url}`,
      '  viaenv:',
      '    kind: aws',
      '    region: eu-west-1',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await fake.close();
  project.cleanup();
  home.cleanup();
});

describe('deploy to an AWS target', () => {
  it('creates the machine, publishes version 1, points the alias and prints the console URL', async () => {
    const result = await deliv(['deploy', '--target', 'prod']);
    expect(result.exitCode, result.stderr).toBe(0);
    const arn = `arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:stateMachine:orders`;
    expect(result.stdout).toContain('orders created on prod');
    expect(result.stdout).toContain(`${arn}:1`);
    expect(result.stdout).toContain(`${arn}:live  100% on version 1`);
    expect(result.stdout).toContain(`https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/${encodeURIComponent(arn)}`);
    const create = fake.calls.find((call) => call.action === 'CreateStateMachine')!;
    expect(create.body).toMatchObject({ name: 'orders', type: 'STANDARD', roleArn: `arn:aws:iam::${FAKE_ACCOUNT}:role/orders-sfn`, publish: true });
    expect(create.userAgent).toMatch(/deliv\/\d+\.\d+\.\d+/);
  });

  it('changes nothing on a second deploy without changes', async () => {
    const before = fake.calls.length;
    const result = await deliv(['deploy', '--target', 'prod']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/orders unchanged on prod \(version 1, alias live 100% on version 1\)/);
    const writes = fake.calls.slice(before).filter((call) => !/^(List|Describe)/.test(call.action));
    expect(writes).toEqual([]);
  });

  it('shows the diff on a dry run and changes nothing', async () => {
    writeDefinition('{stage: two}');
    const before = fake.calls.length;
    const result = await deliv(['deploy', '--target', 'prod', '--dry-run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('orders (STANDARD) on prod: would be updated');
    expect(result.stdout).toMatch(/- +"stage": "one"/);
    expect(result.stdout).toMatch(/\+ +"stage": "two"/);
    expect(fake.calls.slice(before).filter((call) => !/^(List|Describe)/.test(call.action))).toEqual([]);
    expect(fake.machine('orders')!.definition).toContain('"one"');
  });

  it('updates with a canary: 10% on the new version, 90% on the previous one', async () => {
    const result = await deliv(['deploy', 'orders', '--target', 'prod', '--canary', '10', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const arn = `arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:stateMachine:orders`;
    expect(report.stateMachines[0]).toMatchObject({ change: 'updated', versionArn: `${arn}:2`, aliasChange: 'updated' });
    expect(fake.machine('orders')!.aliases.get('live')!.routingConfiguration).toEqual([
      { stateMachineVersionArn: `${arn}:2`, weight: 10 },
      { stateMachineVersionArn: `${arn}:1`, weight: 90 },
    ]);
    // A plain deploy afterwards promotes the new version to all the traffic.
    const promoted = await deliv(['deploy', '--target', 'prod']);
    expect(promoted.stdout).toContain('alias moved');
    expect(fake.machine('orders')!.aliases.get('live')!.routingConfiguration).toEqual([{ stateMachineVersionArn: `${arn}:2`, weight: 100 }]);
  });

  it('creates the role of a target without a role ARN first: nothing reaches Step Functions while IAM cannot be reached', async () => {
    const before = fake.calls.length;
    // Port 9 (discard) on loopback: nothing listens, so STS (the account of the new role's ARN) is unreachable.
    const result = await deliv(['deploy', '--target', 'norole'], { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:9' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('could not be reached: 127.0.0.1:9: the connection was refused (nothing listens there) (ECONNREFUSED)');
    expect(fake.calls.length).toBe(before);
  });
});

describe('start and logs on an AWS target', () => {
  it('start --wait streams the events and exits 0 on success', async () => {
    const result = await deliv(['start', 'orders', '--target', 'prod', '--input', '{"orderId":"o-1"}', '--wait']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Validate +PassStateExited/);
    expect(result.stdout).toMatch(/ExecutionSucceeded/);
    expect(result.stdout).toMatch(/SUCCEEDED in \d/);
  });

  it('start --wait exits 1 on failure, with error, cause and the explain hint', async () => {
    const result = await deliv(['start', '--target', 'prod', '--input', '{"fail":true}', '--wait', '--name', 'declined-1']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Payment.Declined: card ending 4242 was declined');
    expect(result.stdout).toContain(`hint: deliv explain arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:execution:orders:declined-1`);
  });

  it('start rejects bad JSON input with its line and column', async () => {
    const result = await deliv(['start', 'orders', '--target', 'prod', '--input', '{"orderId": o-1}']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--input:1:13: invalid JSON');
  });

  it('logs --follow picks up an execution started after it began, and stops cleanly on Ctrl-C', async () => {
    const before = fake.calls.filter((call) => call.action === 'ListExecutions').length;
    const follower = spawnCli(['logs', 'orders', '--target', 'prod', '--follow', '--status', 'SUCCEEDED', '--limit', '1'], { cwd: project.dir, env: env() });
    await follower.waitFor(/ExecutionSucceeded/);
    // Wait until it polls for new executions, then start one.
    while (fake.calls.filter((call) => call.action === 'ListExecutions').length < before + 2) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = await deliv(['start', 'orders', '--target', 'prod', '--name', 'late-arrival', '--input', '{"orderId":"o-2"}']);
    expect(started.exitCode, started.stderr).toBe(0);
    await follower.waitFor(/late-arrival[\s\S]*ExecutionSucceeded/);
    expect(await follower.stop('SIGINT')).toBe(130);
    const { stdout } = follower.output();
    const late = stdout.split('\n').filter((line) => line.startsWith('late-arrival'));
    expect(late.map((line) => /\b[A-Z]\w+(Started|Entered|Exited|Succeeded)\b/.exec(line)?.[0])).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });

  it('logs --json prints one AWS-shaped event per line', async () => {
    const result = await deliv(['logs', `arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:execution:orders:declined-1`, '--target', 'prod', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4]);
    expect(events[3]).toMatchObject({ type: 'ExecutionFailed', previousEventId: 3, executionFailedEventDetails: { error: 'Payment.Declined' } });
  });

  it('logs of an unknown execution is a clear usage error', async () => {
    const result = await deliv(['logs', `arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:execution:orders:nope`, '--target', 'prod']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Error: no execution arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:execution:orders:nope on target prod`);
  });

  it('ls shows the latest execution; destroy needs --yes without a terminal', async () => {
    const listed = await deliv(['ls', '--target', 'prod', '--json']);
    expect(JSON.parse(listed.stdout).stateMachines[0]).toMatchObject({ name: 'orders', deployed: true, latestExecution: { name: 'late-arrival', status: 'SUCCEEDED' } });
    const refused = await deliv(['destroy', 'orders', '--target', 'prod']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(fake.machine('orders')).toBeDefined();
  });
});

describe('AWS errors as one line with the fix', () => {
  it('AccessDenied names the action and the resource, and never prints the credentials', async () => {
    fake.intercept((action) =>
      action === 'ListStateMachines'
        ? { status: 400, type: 'AccessDeniedException', message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/dev is not authorized to perform: states:ListStateMachines on resource: arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:stateMachine:* because no identity-based policy allows the states:ListStateMachines action` }
        : undefined,
    );
    const result = await deliv(['ls', '--target', 'prod'], { DEBUG: 'deliv*' });
    fake.intercept(undefined);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Error: access denied: states:ListStateMachines on arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:stateMachine:*`);
    expect(result.stderr).toContain(`allow states:ListStateMachines`);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('throttling is retried and then succeeds', async () => {
    fake.intercept((action, _body, call) => (action === 'ListStateMachines' && call === 1 ? { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' } : undefined));
    const result = await deliv(['ls', '--target', 'prod']);
    fake.intercept(undefined);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('orders');
    expect(result.stderr).toContain('AWS is throttling states:ListStateMachines; retrying');
  });

  it('throttling that persists is said after the retries', async () => {
    fake.intercept((action) => (action === 'ListStateMachines' ? { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' } : undefined));
    const result = await deliv(['ls', '--target', 'prod']);
    fake.intercept(undefined);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('kept throttling states:ListStateMachines (ThrottlingException) after 2 attempts');
  });

  it('an expired token says how to refresh it', async () => {
    fake.intercept(() => ({ status: 400, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' }));
    const result = await deliv(['ls', '--target', 'prod'], { AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLE' });
    fake.intercept(undefined);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: the AWS session token has expired (ExpiredTokenException)');
    expect(result.stderr).toMatch(/refresh/);
    expect(result.stderr).not.toContain('FwoGZXIvYXdzEXAMPLE');
  });

  it('a dropped connection is retried, then reported', async () => {
    fake.intercept(() => ({ drop: true }));
    const result = await deliv(['ls', '--target', 'prod']);
    fake.intercept(undefined);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Error: the connection to ${fake.url} was dropped (2 attempts)`);
  });

  it('missing credentials say how to configure them, before anything is sent', async () => {
    const before = fake.calls.length;
    const result = await deliv(['ls', '--target', 'viaenv'], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_ENDPOINT_URL_SFN: fake.url });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: no AWS credentials found');
    expect(result.stderr).toContain('aws configure');
    expect(fake.calls.length).toBe(before);
  });

  it('AWS_ENDPOINT_URL_SFN reaches the endpoint through the SDK chain', async () => {
    const result = await deliv(['ls', '--target', 'viaenv', '--json'], { AWS_ENDPOINT_URL_SFN: fake.url });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).stateMachines.map((machine: { name: string }) => machine.name)).toContain('orders');
  });

  it('an emulator that is not running says how to start it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runCli(['ls'], { cwd: home.dir, env: env({ DELIV_LOCAL_ENDPOINT: `http://127.0.0.1:${port}` }) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Error: the local emulator is not running at http://127.0.0.1:${port}`);
    expect(result.stderr).toContain('deliv local start');
  });

  it('a region that cannot exist is a usage error', async () => {
    const result = await deliv(['ls', '--target', 'prod', '--region', 'moon-1']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('`moon-1` is not an AWS region');
  });
});

describe('destroy on an AWS target', () => {
  it('deletes with --yes and says what it deleted', async () => {
    const result = await deliv(['destroy', '--target', 'prod', '--yes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Deleted orders  arn:aws:states:eu-west-1:${FAKE_ACCOUNT}:stateMachine:orders`);
    expect(fake.machine('orders')).toBeUndefined();
    const again = await deliv(['destroy', 'orders', '--target', 'prod', '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('orders is not deployed on prod');
  });
});
