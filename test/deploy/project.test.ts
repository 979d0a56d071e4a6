/**
 * A scaffolded project deployed to "AWS" through the real SDK clients: Lambda,
 * IAM, STS, SNS and SQS fakes in their wire formats, the Step Functions fake
 * for the machines. Fresh, unchanged, changed, failing halfway, throttled,
 * without credentials; the topics and queues of `--create-missing`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsDeployClients } from '../../src/aws/clients.js';
import { resolveTarget } from '../../src/aws/target.js';
import { applyDestroy, planDestroy } from '../../src/deploy/destroy.js';
import { deployProject, type ProjectDeployOptions } from '../../src/deploy/project.js';
import { loadProject, type Project } from '../../src/project/config.js';
import { planProject, writeProject } from '../../src/project/scaffold.js';
import { tempDir } from '../helpers/cli.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws.js';
import { startFakeMessaging, type FakeMessaging } from '../helpers/fake-messaging.js';
import { renderProjectDeploy } from '../../src/deploy/report.js';
import { stripAnsi } from '../../src/ui/colors.js';
import { FAKE_ACCOUNT, startFakeSfn, type FakeSfn } from '../helpers/fake-sfn.js';

const REGION = 'eu-west-1';
const ENV_KEYS = ['AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SNS', 'AWS_ENDPOINT_URL_SQS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_MAX_ATTEMPTS', 'AWS_PROFILE'];
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let aws: FakeAws;
let messaging: FakeMessaging;
let sfn: FakeSfn;
let dir: string;
let cleanup: () => void;

const OPTIONS: ProjectDeployOptions = { names: [], dryRun: false, alias: 'live', lambda: { pollMs: 5, freshRoleDelaysMs: [5, 5, 5] }, freshRoleDelaysMs: [5, 5, 5] };

function project(): Project {
  const loaded = loadProject(dir);
  loaded.config.targets.prod.endpoint = sfn.url;
  return loaded;
}

async function run(options: Partial<ProjectDeployOptions> = {}) {
  const loaded = project();
  const target = resolveTarget(loaded, { target: 'prod' });
  return deployProject(loaded, target, await awsDeployClients(target), { ...OPTIONS, ...options });
}

beforeAll(async () => {
  aws = await startFakeAws({ account: FAKE_ACCOUNT, region: REGION });
  sfn = await startFakeSfn({ region: REGION });
  messaging = await startFakeMessaging({ account: FAKE_ACCOUNT, region: REGION });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SNS: messaging.url,
    AWS_ENDPOINT_URL_SQS: messaging.url,
    AWS_ENDPOINT_URL_LAMBDA: aws.url,
    AWS_ENDPOINT_URL_IAM: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '2',
  });
  delete process.env.AWS_PROFILE;
  ({ dir, cleanup } = tempDir());
  writeProject(dir, planProject({ dir, name: 'shop', templates: ['order-fulfillment'], region: REGION, language: 'ts' }));
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await Promise.all([aws.close(), sfn.close(), messaging.close()]);
  cleanup();
});

beforeEach(() => {
  aws.calls.length = 0;
  sfn.calls.length = 0;
  messaging.calls.length = 0;
});
afterEach(() => {
  aws.intercept(undefined);
  sfn.intercept(undefined);
  messaging.intercept(undefined);
});

describe('a fresh project to AWS', () => {
  it('plans without a single write call on --dry-run', async () => {
    const result = await run({ dryRun: true });
    expect(aws.writes()).toEqual([]);
    expect(sfn.calls.map((call) => call.action).filter((action) => !/^(List|Describe)/.test(action))).toEqual([]);
    expect(result.functions.map((fn) => [fn.name, fn.change])).toContainEqual(['shop-charge-payment', 'create']);
    expect(result.roles.map((role) => [role.name, role.change])).toEqual([['shop-lambda', 'create'], ['shop-order-fulfillment-sfn', 'create']]);
    expect(result.stateMachines[0]).toMatchObject({ name: 'order-fulfillment', change: 'created' });
  });

  it('creates the roles, the functions and the machine, with no ARN written by hand', async () => {
    // IAM has not propagated the new role yet when Step Functions first sees it: AWS refuses, deliv retries.
    sfn.intercept((action, _body, call) => (action === 'CreateStateMachine' && call === 1
      ? { status: 400, type: 'AccessDeniedException', message: 'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.' }
      : undefined));
    const result = await run();

    const fnRole = aws.roles.get('shop-lambda')!;
    expect(JSON.parse(fnRole.trust).Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
    const logs = JSON.parse(fnRole.policies.get('deliv-function-logs')!);
    expect(logs.Statement[0].Resource).toContain(`arn:aws:logs:${REGION}:${FAKE_ACCOUNT}:log-group:/aws/lambda/shop-charge-payment:*`);
    // The courier handler answers its task token: its permission, with the account filled in.
    expect(logs.Statement[1]).toEqual({ Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: `arn:aws:states:${REGION}:${FAKE_ACCOUNT}:stateMachine:order-fulfillment` });

    expect([...aws.functions.keys()].sort()).toEqual(['assign-courier', 'charge-payment', 'check-stock', 'refund-payment', 'release-stock', 'reserve-stock', 'validate-order'].map((name) => `shop-${name}`));
    const charge = aws.functions.get('shop-charge-payment')!;
    expect(charge.configuration).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler', MemorySize: 256, Timeout: 15, Role: fnRole.arn, State: 'Active', Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } } });
    expect(charge.tags).toEqual({ 'deliv:project': 'shop' });
    expect(charge.versions).toEqual(['1']);
    // The machine calls the alias, which points at the version just published.
    expect(charge.aliases).toEqual(new Map([['live', '1']]));
    // The first CreateFunction met the fresh role and was refused once, then retried.
    expect(aws.calls.filter((call) => call.action === 'CreateFunction').length).toBe(8);

    const machineRole = aws.roles.get('shop-order-fulfillment-sfn')!;
    expect(JSON.parse(machineRole.trust).Statement[0]).toEqual({ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': FAKE_ACCOUNT } } });
    const policy = JSON.parse(machineRole.policies.get('deliv-state-machine')!);
    const invoke = policy.Statement.find((statement: { Action: string[] }) => statement.Action.includes('lambda:InvokeFunction'));
    // Exactly the aliases the definition calls, one per function.
    expect(invoke.Resource).toContain(`arn:aws:lambda:${REGION}:${FAKE_ACCOUNT}:function:shop-charge-payment:live`);
    expect(invoke.Resource).toHaveLength(7);

    const creates = sfn.calls.filter((call) => call.action === 'CreateStateMachine');
    expect(creates).toHaveLength(2);
    expect(creates[1].body).toMatchObject({ name: 'order-fulfillment', roleArn: machineRole.arn, tags: [{ key: 'deliv:project', value: 'shop' }] });
    const definition = JSON.parse(creates[1].body.definition);
    expect(definition.States.ValidateOrder.Parameters.FunctionName).toBe(`arn:aws:lambda:${REGION}:${FAKE_ACCOUNT}:function:shop-validate-order:live`);
    expect(definition.States.NotifyCustomer.Parameters.TopicArn).toBe(`arn:aws:sns:${REGION}:${FAKE_ACCOUNT}:order-notifications`);
    expect(creates[1].body.definition).not.toContain('${');
    expect(result.stateMachines[0].change).toBe('created');
  });

  it('writes nothing when deployed again unchanged', async () => {
    const result = await run();
    expect(aws.writes()).toEqual([]);
    expect(sfn.calls.map((call) => call.action).filter((action) => !/^(List|Describe)/.test(action))).toEqual([]);
    expect(result.functions.every((fn) => fn.change === 'unchanged')).toBe(true);
    expect(result.stateMachines[0]).toMatchObject({ change: 'unchanged', aliasChange: 'unchanged' });
  });

  it('updates only the function whose code changed, waiting for Lambda between calls', async () => {
    const file = path.join(dir, 'functions/check-stock.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// restocked\nexport const restocked = true;\n`);
    const result = await run();
    expect(aws.writes()).toEqual(['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:UpdateAlias']);
    expect(aws.calls.filter((call) => call.action === 'UpdateFunctionCode')[0].body.FunctionName).toBe('shop-check-stock');
    expect(result.functions.find((fn) => fn.key === 'check-stock')).toMatchObject({ change: 'update', changes: ['code'], version: '2' });
    expect(sfn.calls.map((call) => call.action).filter((action) => !/^(List|Describe)/.test(action))).toEqual([]);
  });

  it('moves an alias that lags behind the newest version, and nothing else', async () => {
    // As a deploy stopped between PublishVersion and UpdateAlias leaves it.
    const check = aws.functions.get('shop-check-stock')!;
    expect(check.versions).toEqual(['1', '2']);
    check.aliases.set('live', '1');
    const result = await run();
    expect(aws.writes()).toEqual(['lambda:UpdateAlias']);
    expect(check.aliases.get('live')).toBe('2');
    expect(result.functions.find((fn) => fn.key === 'check-stock')).toMatchObject({ change: 'update', aliasArn: `arn:aws:lambda:${REGION}:${FAKE_ACCOUNT}:function:shop-check-stock:live` });
  });

  it('updates memory and timeout in place, then publishes', async () => {
    const text = readFileSync(path.join(dir, 'deliv.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'deliv.yaml'), text.replace(/( {2}charge-payment:\n {4}handler: functions\/charge-payment.ts\n {4}timeoutSeconds: )15\n {4}memoryMB: 256/, '$130\n    memoryMB: 512'));
    const result = await run();
    expect(aws.writes()).toEqual(['lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion', 'lambda:UpdateAlias']);
    expect(result.functions.find((fn) => fn.key === 'charge-payment')?.changes).toEqual(['memory 256 → 512', 'timeout 15 → 30']);
    expect(aws.functions.get('shop-charge-payment')!.configuration).toMatchObject({ MemorySize: 512, Timeout: 30 });
  });
});

describe('a deploy that fails halfway', () => {
  it('says what was done and is completed by a re-run', async () => {
    const { dir: other, cleanup: done } = tempDir();
    try {
      writeProject(other, planProject({ dir: other, name: 'triage', templates: ['support-triage'], region: REGION, language: 'js' }));
      const loaded = loadProject(other);
      loaded.config.targets.prod.endpoint = sfn.url;
      const target = resolveTarget(loaded, { target: 'prod' });
      aws.intercept((call) => (call.action === 'PutRolePolicy' && call.body.RoleName === 'triage-support-triage-sfn'
        ? { status: 403, code: 'AccessDenied', message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/developer is not authorized to perform: iam:PutRolePolicy on resource: role triage-support-triage-sfn because no identity-based policy allows the iam:PutRolePolicy action` }
        : undefined));
      const failure = await deployProject(loaded, target, await awsDeployClients(target), OPTIONS).catch((error: unknown) => error as Error & { hint?: string });
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe('access denied: iam:PutRolePolicy on role');
      expect((failure as { hint?: string }).hint).toContain('already done: created role triage-lambda, created function triage-open-refund-case (version 1, alias live)');
      expect((failure as { hint?: string }).hint).toContain('Deploying again completes the rest');
      expect(sfn.machine('support-triage')).toBeUndefined();

      aws.intercept(undefined);
      aws.calls.length = 0;
      const result = await deployProject(loaded, target, await awsDeployClients(target), OPTIONS);
      // The role exists without its policy: the re-run puts the policy, creates the machine, touches nothing else.
      expect(aws.writes()).toEqual(['iam:PutRolePolicy']);
      expect(result.stateMachines[0].change).toBe('created');
    } finally {
      done();
    }
  });
});

describe('a project that cannot be deployed as written', () => {
  it('is refused before any write, with the code a script reads: a definition validate refuses, a handler that is not there', async () => {
    const { dir: other, cleanup: done } = tempDir();
    try {
      writeProject(other, planProject({ dir: other, name: 'broken', templates: ['order-fulfillment'], region: REGION, language: 'js' }));
      const loaded = loadProject(other);
      loaded.config.targets.prod.endpoint = sfn.url;
      const target = resolveTarget(loaded, { target: 'prod' });
      const [handlerKey, handler] = Object.entries(loaded.config.functions ?? {})[0];
      rmSync(path.join(other, handler.handler));
      aws.calls.length = 0;
      const missing = await deployProject(loaded, target, await awsDeployClients(target), OPTIONS).catch((error: unknown) => error);
      expect(missing).toMatchObject({ code: 'FILE_NOT_FOUND', exitCode: 2, message: `functions.${handlerKey}.handler: ${handler.handler} does not exist` });

      const definition = path.join(other, loaded.config.stateMachines['order-fulfillment'].definition);
      writeFileSync(definition, readFileSync(definition, 'utf8').replace(/^StartAt: .*$/m, 'StartAt: Nowhere'));
      const refused = await deployProject(loadProject(other), target, await awsDeployClients(target), { ...OPTIONS, names: ['order-fulfillment'] }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'INVALID_DEFINITION', exitCode: 2 });
      expect(aws.writes()).toEqual([]);
    } finally {
      done();
    }
  });
});

describe('a role IAM has not propagated yet', () => {
  it('is retried, and when the refusal outlasts the retries the error says so, how long it waited and what to do', async () => {
    const slow = await startFakeAws({ account: FAKE_ACCOUNT, region: REGION, freshRefusals: 10 });
    const { dir: other, cleanup: done } = tempDir();
    const endpoints = { lambda: process.env.AWS_ENDPOINT_URL_LAMBDA, iam: process.env.AWS_ENDPOINT_URL_IAM, sts: process.env.AWS_ENDPOINT_URL_STS };
    Object.assign(process.env, { AWS_ENDPOINT_URL_LAMBDA: slow.url, AWS_ENDPOINT_URL_IAM: slow.url, AWS_ENDPOINT_URL_STS: slow.url });
    try {
      writeProject(other, planProject({ dir: other, name: 'slowiam', templates: ['courier-dispatch'], region: REGION, language: 'js' }));
      const loaded = loadProject(other);
      loaded.config.targets.prod.endpoint = sfn.url;
      const target = resolveTarget(loaded, { target: 'prod' });
      const failure = await deployProject(loaded, target, await awsDeployClients(target), OPTIONS).catch((error: unknown) => error as Error & { hint?: string });
      expect(failure).toBeInstanceOf(Error);
      // OPTIONS waits 5 ms three times: four CreateFunction calls, each refused.
      expect((failure as Error).message).toBe(
        `Lambda still refuses role arn:aws:iam::${FAKE_ACCOUNT}:role/slowiam-lambda after 4 attempts over 15 ms: The role defined for the function cannot be assumed by Lambda.`,
      );
      const hint = (failure as { hint?: string }).hint!;
      expect(hint).toContain('IAM is eventually consistent): deploy again in a minute, it goes on from here');
      expect(hint).toContain('that its trust policy lets lambda.amazonaws.com call sts:AssumeRole');
      expect(hint).toContain('already done: created role slowiam-lambda');
      expect(slow.calls.filter((call) => call.action === 'CreateFunction').length).toBeGreaterThanOrEqual(4);
    } finally {
      Object.assign(process.env, { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda, AWS_ENDPOINT_URL_IAM: endpoints.iam, AWS_ENDPOINT_URL_STS: endpoints.sts });
      await slow.close();
      done();
    }
  });
});

describe('the AWS environment', () => {
  it('retries a throttled call and goes on', async () => {
    aws.intercept((call, count) => (call.action === 'GetRole' && count === 1 ? { status: 400, code: 'Throttling', message: 'Rate exceeded' } : undefined));
    const result = await run({ dryRun: true });
    expect(result.roles.every((role) => role.change === 'unchanged')).toBe(true);
  });

  it('says how to get credentials when there are none, before any AWS call', async () => {
    const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const failure = await run({ dryRun: true }).catch((error: unknown) => error as Error & { hint?: string });
      expect((failure as Error).message).toBe('no AWS credentials found');
      expect((failure as { hint?: string }).hint).toContain('aws configure');
      expect(aws.calls).toEqual([]);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = keys.id;
      process.env.AWS_SECRET_ACCESS_KEY = keys.secret;
    }
  });
});

describe('deploy --create-missing: the SNS topics and SQS queues the machines use', () => {
  // support-triage publishes to ${CustomerMessagesTopicArn} and sends to ${EscalationQueueUrl}; deliv.yaml's prod target
  // names them `customer-messages` and `support-escalations` in the target's account.
  const topicArn = `arn:aws:sns:${REGION}:${FAKE_ACCOUNT}:customer-messages`;
  const queueUrl = `https://sqs.${REGION}.amazonaws.com/${FAKE_ACCOUNT}/support-escalations`;
  let triage: string;
  let cleanupTriage: () => void;
  const deployTriage = async (options: Partial<ProjectDeployOptions> = {}, edit?: (loaded: Project) => void) => {
    const loaded = loadProject(triage);
    loaded.config.targets.prod.endpoint = sfn.url;
    edit?.(loaded);
    const target = resolveTarget(loaded, { target: 'prod' });
    return deployProject(loaded, target, await awsDeployClients(target), { ...OPTIONS, ...options });
  };
  const plain = (lines: string[]) => stripAnsi(lines.join('\n'));
  const failureOf = (deploying: Promise<unknown>) => deploying.then(() => expect.fail('the deploy should have failed'), (error: unknown) => error as Error & { hint?: string; code?: string });

  beforeAll(() => {
    ({ dir: triage, cleanup: cleanupTriage } = tempDir());
    writeProject(triage, planProject({ dir: triage, name: 'desk', templates: ['support-triage'], region: REGION, language: 'js' }));
  });
  afterAll(() => cleanupTriage());

  it('lists them without a single SNS or SQS call when the flag is not given', async () => {
    const result = await deployTriage({ dryRun: true });
    expect(messaging.calls).toEqual([]);
    expect(result.messaging.map((resource) => [resource.kind, resource.name, resource.change, resource.usedBy])).toEqual([
      ['topic', 'customer-messages', 'unchecked', ['support-triage.ApologiseForDelay']],
      ['queue', 'support-escalations', 'unchecked', ['support-triage.EscalateToHuman']],
    ]);
    expect(plain(renderProjectDeploy(result, {}))).toContain('topic customer-messages: not checked; `deliv deploy --create-missing` creates it if it does not exist');
  });

  it('plans what it would create on --dry-run, reading only', async () => {
    const result = await deployTriage({ dryRun: true, createMissing: true });
    expect(messaging.calls.map((call) => `${call.service}:${call.action}`)).toEqual(['sns:GetTopicAttributes', 'sqs:GetQueueUrl']);
    // The queue is looked up by its name in the target's account, as the definition's URL names it.
    expect(messaging.calls[1].body).toEqual({ QueueName: 'support-escalations', QueueOwnerAWSAccountId: FAKE_ACCOUNT });
    const text = plain(renderProjectDeploy(result, {}));
    expect(text).toContain('topic customer-messages: would be created  sns:CreateTopic\n  used by support-triage.ApologiseForDelay');
    expect(text).toContain('queue support-escalations: would be created  sqs:CreateQueue\n  used by support-triage.EscalateToHuman');
    expect(messaging.topics.size + messaging.queues.size).toBe(0);
  });

  it('creates them, tagged for deliv destroy, before the machine that uses them', async () => {
    // The fake Step Functions already holds support-triage (the test above deployed it): this deploy updates it.
    let presentAtCreate: [number, number] | undefined;
    sfn.intercept((action) => {
      if (action === 'CreateStateMachine' || action === 'UpdateStateMachine') presentAtCreate ??= [messaging.topics.size, messaging.queues.size];
      return undefined;
    });
    const steps: string[] = [];
    const result = await deployTriage({ createMissing: true, onStep: (text) => steps.push(text) });
    expect(messaging.writes()).toEqual(['sns:CreateTopic', 'sqs:CreateQueue']);
    expect(messaging.topics.get(topicArn)?.tags).toEqual({ 'deliv:project': 'desk' });
    expect(messaging.queues.get('support-escalations')).toMatchObject({ url: queueUrl, tags: { 'deliv:project': 'desk' }, attributes: {} });
    expect(presentAtCreate).toEqual([1, 1]);
    expect(steps).toContain('created topic customer-messages');
    expect(steps).toContain('created queue support-escalations');
    const text = plain(renderProjectDeploy(result, {}));
    expect(text).toContain(`topic customer-messages: created\n  ${topicArn}`);
    expect(text).toContain(`queue support-escalations: created\n  ${queueUrl}`);
    // The machine's role may publish and send to exactly these.
    const policy = JSON.parse(aws.roles.get('desk-support-triage-sfn')!.policies.get('deliv-state-machine')!);
    expect(policy.Statement.find((statement: { Sid: string }) => statement.Sid === 'SnsPublish').Resource).toEqual([topicArn]);
    expect(policy.Statement.find((statement: { Sid: string }) => statement.Sid === 'SqsSendMessage').Resource).toEqual([`arn:aws:sqs:${REGION}:${FAKE_ACCOUNT}:support-escalations`]);
  });

  it('finds them on the next deploy and writes nothing', async () => {
    const result = await deployTriage({ createMissing: true });
    expect(messaging.writes()).toEqual([]);
    expect(result.messaging.map((resource) => resource.change)).toEqual(['exists', 'exists']);
    expect(result.messaging[1].url).toBe(queueUrl);
  });

  it('creates a FIFO queue for a `.fifo` name, and leaves a topic of another account alone', async () => {
    const result = await deployTriage({ createMissing: true }, (loaded) => {
      Object.assign(loaded.config.targets.prod.substitutions!, {
        CustomerMessagesTopicArn: 'arn:aws:sns:eu-west-1:444455556666:shared-messages',
        EscalationQueueUrl: `https://sqs.${REGION}.amazonaws.com/\${AWS::AccountId}/escalations.fifo`,
      });
    });
    expect(messaging.writes()).toEqual(['sqs:CreateQueue']);
    expect(messaging.queues.get('escalations.fifo')?.attributes).toEqual({ FifoQueue: 'true' });
    const topic = result.messaging.find((resource) => resource.kind === 'topic')!;
    expect(topic.change).toBe('elsewhere');
    expect(plain(renderProjectDeploy(result, {}))).toContain(`topic shared-messages: not created (it is in account 444455556666, eu-west-1; deliv creates topics only in the target's (${FAKE_ACCOUNT}, ${REGION}))`);
  });

  it('names the permission the deploying user lacks, says what was done, and a re-run completes it', async () => {
    const edit = (loaded: Project) => {
      Object.assign(loaded.config.targets.prod.substitutions!, {
        CustomerMessagesTopicArn: `arn:aws:sns:${REGION}:\${AWS::AccountId}:complaints`,
        EscalationQueueUrl: `https://sqs.${REGION}.amazonaws.com/\${AWS::AccountId}/complaints-escalated`,
      });
    };
    const denied = `arn:aws:sqs:${REGION}:${FAKE_ACCOUNT}:complaints-escalated`;
    messaging.intercept((call) => (call.action === 'CreateQueue'
      ? { status: 403, code: 'com.amazon.coral.service#AccessDeniedException', queryError: 'AccessDenied', message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/developer is not authorized to perform: sqs:createqueue on resource: ${denied} because no identity-based policy allows the sqs:createqueue action` }
      : undefined));
    const failure = await failureOf(deployTriage({ createMissing: true }, edit));
    expect(failure.message).toBe(`access denied: sqs:createqueue on ${denied}`);
    expect(failure.hint).toContain(`allow sqs:createqueue on ${denied} in the IAM policy of arn:aws:iam::${FAKE_ACCOUNT}:user/developer`);
    expect(failure.hint).toContain('already done: created topic complaints. Deploying again completes the rest');
    expect(sfn.calls.filter((call) => call.action === 'UpdateStateMachine')).toEqual([]);

    messaging.intercept(undefined);
    messaging.calls.length = 0;
    const result = await deployTriage({ createMissing: true }, edit);
    expect(messaging.writes()).toEqual(['sqs:CreateQueue']);
    expect(result.messaging.map((resource) => resource.change)).toEqual(['exists', 'create']);
    expect(result.stateMachines[0].change).toBe('updated');
  });

  it('says so when the user may not even look a topic up', async () => {
    messaging.intercept((call) => (call.action === 'GetTopicAttributes'
      ? { status: 403, code: 'AuthorizationError', message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/developer is not authorized to perform: SNS:GetTopicAttributes on resource: ${topicArn} because no identity-based policy allows the SNS:GetTopicAttributes action` }
      : undefined));
    const failure = await failureOf(deployTriage({ dryRun: true, createMissing: true }));
    expect(failure.message).toBe(`access denied: SNS:GetTopicAttributes on ${topicArn}`);
    expect(failure.code).toBe('AWS_ACCESS_DENIED');
  });

  it('retries when SNS throttles, and says how many attempts it made when it does not stop', async () => {
    messaging.intercept((call, count) => (call.action === 'GetTopicAttributes' && count === 1 ? { status: 429, code: 'Throttled', message: 'Rate exceeded' } : undefined));
    const retried = await deployTriage({ dryRun: true, createMissing: true });
    expect(retried.messaging[0].change).toBe('exists');
    expect(messaging.calls.filter((call) => call.action === 'GetTopicAttributes')).toHaveLength(2);

    messaging.intercept((call) => (call.action === 'GetQueueUrl' ? { status: 403, code: 'RequestThrottled', message: 'Request is throttled.' } : undefined));
    const failure = await failureOf(deployTriage({ dryRun: true, createMissing: true }));
    // AWS_MAX_ATTEMPTS is 2 in these tests.
    expect(failure.message).toBe(`AWS (target \`prod\`, ${REGION}) kept throttling sqs:GetQueueUrl (RequestThrottled) after 2 attempts`);
    expect(failure.code).toBe('AWS_THROTTLED');
  });

  describe('then deliv destroy', () => {
    const destroyTriage = async (dryRun: boolean) => {
      const loaded = loadProject(triage);
      loaded.config.targets.prod.endpoint = sfn.url;
      const target = resolveTarget(loaded, { target: 'prod' });
      const clients = await awsDeployClients(target);
      const plan = await planDestroy(clients.sfn, Object.keys(loaded.config.stateMachines), target, loaded, clients);
      return { plan, outcome: dryRun ? undefined : await applyDestroy(clients.sfn, plan, loaded, clients) };
    };

    it('plans to delete the topic and queue deliv created for the project, reading only, and leaves one of the same name made for another', async () => {
      // Someone else's queue of the same name (as if made by hand, or by another project): not the project's to delete.
      messaging.queues.get('support-escalations')!.tags = { 'deliv:project': 'billing' };
      const { plan } = await destroyTriage(true);
      expect(messaging.writes()).toEqual([]);
      expect(messaging.calls.map((call) => `${call.service}:${call.action}`)).toEqual(['sns:ListTagsForResource', 'sqs:GetQueueUrl', 'sqs:ListQueueTags']);
      expect(messaging.calls[0].body.ResourceArn).toBe(topicArn);
      expect(plan.topics).toEqual([{ kind: 'topic', name: 'customer-messages', arn: topicArn }]);
      expect(plan.queues).toEqual([]);
    });

    it('says what it already deleted when refused halfway, and a re-run deletes the rest', async () => {
      messaging.queues.get('support-escalations')!.tags = { 'deliv:project': 'desk' };
      messaging.intercept((call) => (call.action === 'DeleteQueue'
        ? { status: 403, code: 'com.amazon.coral.service#AccessDeniedException', queryError: 'AccessDenied', message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/developer is not authorized to perform: sqs:deletequeue on resource: arn:aws:sqs:${REGION}:${FAKE_ACCOUNT}:support-escalations because no identity-based policy allows the sqs:deletequeue action` }
        : undefined));
      const failure = await failureOf(destroyTriage(false));
      expect(failure.message).toBe(`access denied: sqs:deletequeue on arn:aws:sqs:${REGION}:${FAKE_ACCOUNT}:support-escalations`);
      expect(failure.hint).toContain(`already done: deleted support-triage  arn:aws:states:${REGION}:${FAKE_ACCOUNT}:stateMachine:support-triage, deleted function desk-open-refund-case, deleted topic customer-messages  ${topicArn}. Destroying again deletes the rest`);
      expect(messaging.topics.has(topicArn)).toBe(false);
      expect(aws.roles.has('desk-support-triage-sfn')).toBe(true);

      messaging.intercept(undefined);
      messaging.calls.length = 0;
      const { outcome } = await destroyTriage(false);
      expect(messaging.writes()).toEqual(['sqs:DeleteQueue']);
      expect(outcome).toMatchObject({ functions: [], topics: [], queues: [queueUrl], roles: ['desk-lambda', 'desk-support-triage-sfn'] });
      expect(messaging.queues.has('support-escalations')).toBe(false);
      // What the edited deploys above created (complaints, escalations.fifo) is not named by deliv.yaml now: it stays.
      expect([...messaging.topics.keys()]).toEqual([`arn:aws:sns:${REGION}:${FAKE_ACCOUNT}:complaints`]);
    });
  });
});
