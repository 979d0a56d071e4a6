/**
 * The "done when", as a user runs it: `deliv init shop -t
 * order-fulfillment && cd shop && deliv deploy --target prod`, with no file
 * edited and no ARN typed. Lambda, IAM, STS and SNS are fakes in their wire formats;
 * Step Functions is the emulator, reached the way a user reaches any endpoint
 * override (AWS_ENDPOINT_URL_SFN).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws.js';
import { startFakeMessaging, type FakeMessaging } from '../helpers/fake-messaging.js';
import { ListStateMachinesCommand, DescribeStateMachineCommand } from '@aws-sdk/client-sfn';

let aws: FakeAws;
let messaging: FakeMessaging;
let emulator: TestEmulator;
let home: { dir: string; cleanup: () => void };
let shop: string;

const env = () => ({
  HOME: home.dir,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL_LAMBDA: aws.url,
  AWS_ENDPOINT_URL_IAM: aws.url,
  AWS_ENDPOINT_URL_STS: aws.url,
  AWS_ENDPOINT_URL_SNS: messaging.url,
  AWS_ENDPOINT_URL_SQS: messaging.url,
  AWS_ENDPOINT_URL_SFN: emulator.emulator.endpoint,
});

beforeAll(async () => {
  // The emulator's account and Region, so that the ARNs it builds and the ones deliv builds agree.
  aws = await startFakeAws({ account: '123456789012', region: 'us-east-1' });
  messaging = await startFakeMessaging({ account: '123456789012', region: 'us-east-1' });
  emulator = await testEmulator();
  home = tempDir('deliv-home-');
  const init = await runCli(['init', 'shop', '-t', 'order-fulfillment', '--yes'], { cwd: home.dir, env: { HOME: home.dir } });
  expect(init.exitCode, init.stderr).toBe(0);
  shop = path.join(home.dir, 'shop');
});

afterAll(async () => {
  await Promise.all([aws.close(), messaging.close(), emulator.close()]);
  home.cleanup();
});

describe('deliv init, then deliv deploy --target prod', () => {
  it('shows the plan on --dry-run and changes nothing', async () => {
    const result = await runCli(['deploy', '--target', 'prod', '--dry-run', '--no-cost'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('role shop-lambda (execution role of the functions): would be created');
    expect(result.stdout).toContain('role shop-order-fulfillment-sfn (role of state machine order-fulfillment): would be created');
    expect(result.stdout).toContain('function shop-charge-payment: would be created');
    expect(result.stdout).toContain('allow sns:Publish on arn:aws:sns:us-east-1:123456789012:order-notifications');
    expect(result.stdout).toContain('order-fulfillment (STANDARD) on prod: would be created');
    expect(aws.writes()).toEqual([]);
  });

  it('creates the functions, the roles and the state machine', async () => {
    const result = await runCli(['deploy', '--target', 'prod', '--no-cost'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('function shop-validate-order: created version 1');
    expect(result.stdout).toContain('order-fulfillment created on prod (STANDARD)');
    expect(aws.functions.size).toBe(7);
    expect([...aws.roles.keys()].sort()).toEqual(['shop-lambda', 'shop-order-fulfillment-sfn']);

    const { stateMachines } = await emulator.sfn.send(new ListStateMachinesCommand({}));
    const machine = stateMachines!.find((candidate) => candidate.name === 'order-fulfillment')!;
    const described = await emulator.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machine.stateMachineArn }));
    expect(described.roleArn).toBe('arn:aws:iam::123456789012:role/shop-order-fulfillment-sfn');
    expect(JSON.parse(described.definition!).States.CheckStock.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:shop-check-stock:live');
  });

  it('makes no Lambda or IAM write when deployed again', async () => {
    aws.calls.length = 0;
    const result = await runCli(['deploy', '--target', 'prod', '--no-cost', '--json'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(aws.writes()).toEqual([]);
    const output = JSON.parse(result.stdout);
    expect(output.functions.map((fn: { change: string }) => fn.change)).toEqual(Array(7).fill('unchanged'));
    expect(output.stateMachines[0]).toMatchObject({ name: 'order-fulfillment', change: 'unchanged', aliasChange: 'unchanged' });
  });

  it('creates the SNS topic the machine publishes to with --create-missing, after showing it in the plan', async () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:order-notifications';
    const plan = await runCli(['deploy', '--target', 'prod', '--dry-run', '--create-missing', '--no-cost'], { cwd: shop, env: env() });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('topic order-notifications: would be created  sns:CreateTopic');
    expect(plan.stdout).toContain('used by order-fulfillment.NotifyCustomer');
    expect(messaging.writes()).toEqual([]);

    const result = await runCli(['deploy', '--target', 'prod', '--create-missing', '--no-cost'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('created topic order-notifications');
    expect(result.stdout).toContain(`topic order-notifications: created\n  ${topic}`);
    expect(messaging.topics.get(topic)?.tags).toEqual({ 'deliv:project': 'shop' });
  });

  it('prints the role\'s policy with deliv policy', async () => {
    const result = await runCli(['policy', 'order-fulfillment'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    const policy = JSON.parse(result.stdout);
    expect(policy.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual(['LambdaInvokeFunction', 'SnsPublish']);
  });

  it('deliv destroy --dry-run lists what deliv created, the topic too, and deletes nothing', async () => {
    aws.calls.length = 0;
    messaging.calls.length = 0;
    const result = await runCli(['destroy', '--target', 'prod', '--dry-run'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Would delete order-fulfillment\n');
    expect(result.stdout).toContain('Would delete function shop-charge-payment\n');
    expect(result.stdout).toContain('Would delete topic order-notifications\nWould delete role shop-lambda\n');
    expect([...aws.writes(), ...messaging.writes()]).toEqual([]);
  });

  it('deliv destroy removes the machine and the functions, topic and roles deliv created, and nothing else', async () => {
    // A role of the same account that deliv did not create stays.
    aws.roles.set('shop-admin', { name: 'shop-admin', arn: 'arn:aws:iam::123456789012:role/shop-admin', trust: '{}', tags: {}, policies: new Map(), fresh: 0 });
    const result = await runCli(['destroy', '--target', 'prod', '--yes'], { cwd: shop, env: env() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Deleted function shop-charge-payment');
    expect(result.stdout).toContain('Deleted topic order-notifications  arn:aws:sns:us-east-1:123456789012:order-notifications');
    expect(result.stdout).toContain('Deleted role shop-order-fulfillment-sfn');
    expect(messaging.topics.size).toBe(0);
    expect(aws.functions.size).toBe(0);
    expect([...aws.roles.keys()]).toEqual(['shop-admin']);
    const { stateMachines } = await emulator.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((machine) => machine.name)).not.toContain('order-fulfillment');
  });

  // Two deploys in sequence, each a CLI process bundling seven functions: over the 30 s default on a loaded machine.
  it('deployed again from nothing and refused halfway (AccessDenied on PutRolePolicy), says what it did; a re-run completes it', async () => {
    aws.intercept((call) => (call.action === 'PutRolePolicy' && call.body.RoleName === 'shop-order-fulfillment-sfn'
      ? { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/developer is not authorized to perform: iam:PutRolePolicy on resource: role shop-order-fulfillment-sfn because no identity-based policy allows the iam:PutRolePolicy action' }
      : undefined));
    const refused = await runCli(['deploy', '--target', 'prod', '--no-cost'], { cwd: shop, env: env() });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('access denied: iam:PutRolePolicy on role');
    expect(refused.stderr).toContain('already done: created role shop-lambda, created function');
    expect(refused.stderr).toContain('Deploying again completes the rest');
    expect(aws.functions.size).toBe(7);
    const before = await emulator.sfn.send(new ListStateMachinesCommand({}));
    expect(before.stateMachines!.map((machine) => machine.name)).not.toContain('order-fulfillment');

    aws.intercept(undefined);
    aws.calls.length = 0;
    const again = await runCli(['deploy', '--target', 'prod', '--no-cost', '--json'], { cwd: shop, env: env() });
    expect(again.exitCode, again.stderr).toBe(0);
    // The role exists without its policy: only that is written, then the machine is created.
    expect(aws.writes()).toEqual(['iam:PutRolePolicy']);
    expect(JSON.parse(again.stdout).stateMachines[0]).toMatchObject({ name: 'order-fulfillment', change: 'created' });
  }, 120_000);
});
