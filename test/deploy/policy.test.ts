import { afterAll, describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { parseArn, PSEUDO_SCOPE, queueArnFromUrl, splitFields } from '../../src/aws/arn.js';
import { resolveTarget, type ResolvedTarget } from '../../src/aws/target.js';
import { LOG_DELIVERY_ACTIONS, machinePolicy, XRAY_ACTIONS, type PolicyContext } from '../../src/deploy/policy.js';
import { projectMachinePolicy } from '../../src/deploy/resources.js';
import { loadProject, type Project } from '../../src/project/config.js';
import { planProject, writeProject } from '../../src/project/scaffold.js';
import { listTemplates, type Template } from '../../src/project/templates.js';
import { tempDir } from '../helpers/cli.js';

const SCOPE: PolicyContext = { partition: 'aws', region: 'eu-west-1', account: '111122223333', machineName: 'shop' };

/** A one-Task machine. */
function task(resource: string, parameters?: Record<string, unknown>, extra: Record<string, unknown> = {}): StateMachineDefinition {
  return { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, ...(parameters ? { Parameters: parameters } : {}), End: true, ...extra } } } as unknown as StateMachineDefinition;
}

function statements(definition: StateMachineDefinition, context: Partial<PolicyContext> = {}) {
  return machinePolicy(definition, { ...SCOPE, ...context }).document.Statement.map(({ Action, Resource }) => ({ Action, Resource }));
}

describe('ARNs by fields', () => {
  it('keeps the colons of a pseudo-parameter inside its field', () => {
    expect(splitFields('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:pay:live')).toEqual(['arn', '${AWS::Partition}', 'lambda', '${AWS::Region}', '${AWS::AccountId}', 'function', 'pay', 'live']);
    expect(parseArn('arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:orders')).toEqual({ partition: '${AWS::Partition}', service: 'sns', region: '${AWS::Region}', account: '${AWS::AccountId}', resource: 'orders' });
    expect(parseArn('arn:aws:states:::lambda:invoke')?.resource).toBe('lambda:invoke');
    expect(parseArn('ChargePayment')).toBeUndefined();
  });

  it('turns each documented form of queue URL into the queue ARN', () => {
    expect(queueArnFromUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/orders', SCOPE)).toBe('arn:aws:sqs:eu-west-1:111122223333:orders');
    expect(queueArnFromUrl('https://sqs.cn-north-1.amazonaws.com.cn/111122223333/orders', SCOPE)).toBe('arn:aws-cn:sqs:cn-north-1:111122223333:orders');
    expect(queueArnFromUrl('https://eu-west-1.queue.amazonaws.com/111122223333/orders', SCOPE)).toBe('arn:aws:sqs:eu-west-1:111122223333:orders');
    expect(queueArnFromUrl('https://queue.amazonaws.com/111122223333/orders', SCOPE)).toBe('arn:aws:sqs:us-east-1:111122223333:orders');
    expect(queueArnFromUrl('orders', SCOPE)).toBeUndefined();
  });
});

describe('lambda:InvokeFunction', () => {
  it('names exactly the function of lambda:invoke, with its versions and aliases', () => {
    expect(statements(task('arn:aws:states:::lambda:invoke', { FunctionName: 'arn:aws:lambda:eu-west-1:111122223333:function:pay', 'Payload.$': '$' }))).toEqual([
      { Action: ['lambda:InvokeFunction'], Resource: ['arn:aws:lambda:eu-west-1:111122223333:function:pay', 'arn:aws:lambda:eu-west-1:111122223333:function:pay:*'] },
    ]);
  });

  it('reads a bare name, name:alias and account:function:name as Lambda does', () => {
    const fn = (name: string) => statements(task('arn:aws:states:::lambda:invoke', { FunctionName: name }))[0].Resource;
    expect(fn('pay')).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:pay', 'arn:aws:lambda:eu-west-1:111122223333:function:pay:*']);
    expect(fn('pay:live')).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:pay:live']);
    expect(fn('444455556666:function:pay')).toEqual(['arn:aws:lambda:eu-west-1:444455556666:function:pay', 'arn:aws:lambda:eu-west-1:444455556666:function:pay:*']);
    expect(fn('arn:aws:lambda:eu-west-1:111122223333:function:pay:3')).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:pay:3']);
  });

  it('keeps a bare ${XFunctionArn} placeholder and the arn:${AWS::Partition} form for a template', () => {
    expect(statements(task('${CheckStockFunctionArn}'))).toEqual([{ Action: ['lambda:InvokeFunction'], Resource: ['${CheckStockFunctionArn}', '${CheckStockFunctionArn}:*'] }]);
    const templated = statements(task('arn:aws:states:::lambda:invoke.waitForTaskToken', { FunctionName: 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:assign' }));
    expect(templated[0].Resource).toEqual(['arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:assign', 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:assign:*']);
  });

  it('grants a function ARN used directly as the Resource', () => {
    expect(statements(task('arn:aws:lambda:eu-west-1:111122223333:function:stock'))[0].Resource).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:stock', 'arn:aws:lambda:eu-west-1:111122223333:function:stock:*']);
  });

  it('widens to the account\'s functions, with a warning, when the name is chosen at run time', () => {
    const policy = machinePolicy(task('arn:aws:states:::lambda:invoke', { 'FunctionName.$': '$.fn' }), SCOPE);
    expect(policy.document.Statement[0].Resource).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:*']);
    expect(policy.warnings).toEqual(['T: FunctionName is chosen at run time, so the permission covers arn:aws:lambda:eu-west-1:111122223333:function:*']);
    const jsonata = machinePolicy(task('arn:aws:states:::lambda:invoke', undefined, { QueryLanguage: 'JSONata', Arguments: { FunctionName: '{% $states.input.fn %}' } }), SCOPE);
    expect(jsonata.document.Statement[0].Resource).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:*']);
  });

  it('collects the functions of Parallel branches and Map processors into one statement', () => {
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'a:1' }, End: true } } },
            { StartAt: 'Each', States: { Each: { Type: 'Map', ItemProcessor: { StartAt: 'B', States: { B: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'b:1' }, End: true } } }, End: true } } },
          ],
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;
    const policy = machinePolicy(definition, SCOPE);
    expect(policy.document.Statement).toEqual([
      { Sid: 'LambdaInvokeFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['arn:aws:lambda:eu-west-1:111122223333:function:a:1', 'arn:aws:lambda:eu-west-1:111122223333:function:b:1'] },
    ]);
    expect(policy.grants.map((grant) => grant.source)).toEqual(['Fan.A', 'Fan.Each.B']);
  });
});

describe('sns:Publish and sqs:SendMessage', () => {
  it('publishes to exactly its topic', () => {
    expect(statements(task('arn:aws:states:::sns:publish', { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:orders', 'Message.$': '$' }))).toEqual([
      { Action: ['sns:Publish'], Resource: ['arn:aws:sns:eu-west-1:111122223333:orders'] },
    ]);
  });

  it('sends to the queue its QueueUrl names, as an ARN', () => {
    expect(statements(task('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/escalations', 'MessageBody.$': '$' }))).toEqual([
      { Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:eu-west-1:111122223333:escalations'] },
    ]);
  });

  it('reads the topic and the queue of the aws-sdk integrations the same way, for any of their API actions', () => {
    const policy = machinePolicy({
      StartAt: 'Publish',
      States: {
        Publish: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sns:publish', Parameters: { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:orders', 'Message.$': '$' }, Next: 'Send' },
        Send: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/escalations', 'MessageBody.$': '$' }, Next: 'Depth' },
        Depth: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:getQueueAttributes', Parameters: { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/escalations', AttributeNames: ['ApproximateNumberOfMessages'] }, End: true },
      },
    } as unknown as StateMachineDefinition, SCOPE);
    expect(policy.document.Statement.map(({ Action, Resource }) => ({ Action, Resource }))).toEqual([
      { Action: ['sns:Publish'], Resource: ['arn:aws:sns:eu-west-1:111122223333:orders'] },
      { Action: ['sqs:GetQueueAttributes'], Resource: ['arn:aws:sqs:eu-west-1:111122223333:escalations'] },
      { Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:eu-west-1:111122223333:escalations'] },
    ]);
    expect(policy.warnings).toEqual([]);
  });

  it('widens an aws-sdk topic or queue chosen at run time to the account\'s, and one without a field to every resource', () => {
    const chosen = machinePolicy(task('arn:aws:states:::aws-sdk:sqs:sendMessage', { 'QueueUrl.$': '$.queue', 'MessageBody.$': '$' }), SCOPE);
    expect(chosen.document.Statement[0].Resource).toEqual(['arn:aws:sqs:eu-west-1:111122223333:*']);
    expect(chosen.warnings).toEqual(['T: QueueUrl is chosen at run time, so the permission covers arn:aws:sqs:eu-west-1:111122223333:*']);
    const listing = machinePolicy(task('arn:aws:states:::aws-sdk:sns:listTopics', {}), SCOPE);
    expect(listing.document.Statement[0]).toMatchObject({ Action: ['sns:ListTopics'], Resource: ['*'] });
  });
});

describe('bedrock:InvokeModel', () => {
  it('allows a foundation model by id in the machine\'s Region', () => {
    expect(statements(task('arn:aws:states:::bedrock:invokeModel', { ModelId: 'anthropic.claude-3-haiku-20240307-v1:0', Body: {} }))).toEqual([
      { Action: ['bedrock:InvokeModel'], Resource: ['arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0'] },
    ]);
  });

  it('allows an inference profile and the model in the Regions it routes to (Region-less too when global)', () => {
    expect(statements(task('arn:aws:states:::bedrock:invokeModel', { ModelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' }))[0].Resource).toEqual([
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0',
    ]);
    expect(statements(task('arn:aws:states:::bedrock:invokeModel', { ModelId: 'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0' }))[0].Resource).toEqual([
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0',
    ]);
  });

  it('reads the prompt from and writes the answer to S3 when Input/Output say so', () => {
    const resources = statements(task('arn:aws:states:::bedrock:invokeModel', { ModelId: 'amazon.titan-text-express-v1', Input: { S3Uri: 's3://prompts/in.json' }, Output: { S3Uri: 's3://answers/out.json' } }));
    expect(resources).toContainEqual({ Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::prompts/in.json'] });
    expect(resources).toContainEqual({ Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::answers/out.json'] });
  });
});

describe('states:StartExecution', () => {
  const child = 'arn:aws:states:eu-west-1:111122223333:stateMachine:refund';

  it('needs only StartExecution for a request-response child', () => {
    expect(statements(task('arn:aws:states:::states:startExecution', { StateMachineArn: child }))).toEqual([{ Action: ['states:StartExecution'], Resource: [child] }]);
  });

  it('adds Describe/StopExecution on its executions and the managed EventBridge rule for .sync', () => {
    for (const resource of ['arn:aws:states:::states:startExecution.sync', 'arn:aws:states:::states:startExecution.sync:2']) {
      expect(statements(task(resource, { StateMachineArn: `${child}:live` }))).toEqual([
        { Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'], Resource: ['arn:aws:events:eu-west-1:111122223333:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule'] },
        { Action: ['states:DescribeExecution', 'states:StopExecution'], Resource: ['arn:aws:states:eu-west-1:111122223333:execution:refund:*'] },
        { Action: ['states:StartExecution'], Resource: [`${child}:live`] },
      ]);
    }
  });

  it('lets a Distributed Map start its own child executions', () => {
    const definition = { StartAt: 'Each', States: { Each: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } } as unknown as StateMachineDefinition;
    expect(statements(definition)).toEqual([
      { Action: ['states:DescribeExecution', 'states:StopExecution'], Resource: ['arn:aws:states:eu-west-1:111122223333:execution:shop/*'] },
      { Action: ['states:StartExecution'], Resource: ['arn:aws:states:eu-west-1:111122223333:stateMachine:shop'] },
    ]);
  });

  it('grants a ResultWriter export its prefix, and a WriterConfig-only preview nothing and no warning', () => {
    const map = (writer: unknown) =>
      ({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, ResultWriter: writer, End: true } } }) as unknown as StateMachineDefinition;
    const exported = statements(map({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'results', Prefix: 'runs' } }));
    expect(exported).toContainEqual({ Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], Resource: ['arn:aws:s3:::results/runs/*'] });
    const preview = machinePolicy(map({ WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSON' } }), SCOPE);
    expect(preview.document.Statement.some(({ Action }) => Action.some((action: string) => action.startsWith('s3:')))).toBe(false);
    expect(preview.warnings).toEqual([]);
  });
});

describe('logging, tracing and what is not generated', () => {
  it('adds log delivery when logging is on and X-Ray when tracing is on, on *', () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } as StateMachineDefinition;
    expect(statements(definition)).toEqual([]);
    expect(statements(definition, { logging: true, tracing: true })).toEqual([
      { Action: [...LOG_DELIVERY_ACTIONS].sort(), Resource: ['*'] },
      { Action: [...XRAY_ACTIONS].sort(), Resource: ['*'] },
    ]);
  });

  it('needs nothing for an activity and says what it could not generate', () => {
    expect(statements(task('arn:aws:states:eu-west-1:111122223333:activity:pack'))).toEqual([]);
    const ecs = machinePolicy(task('arn:aws:states:::ecs:runTask.sync', { Cluster: 'c' }), SCOPE);
    expect(ecs.document.Statement).toEqual([]);
    expect(ecs.warnings).toEqual(["T: no permission generated for the ecs:runTask.sync integration; add it from AWS's IAM page for that service"]);
  });

  it('grants an aws-sdk integration its IAM action, on every resource with a warning', () => {
    const policy = machinePolicy(task('arn:aws:states:::aws-sdk:sfn:listExecutions', { StateMachineArn: 'x' }), SCOPE);
    expect(policy.document.Statement.map(({ Action, Resource }) => ({ Action, Resource }))).toEqual([{ Action: ['states:ListExecutions'], Resource: ['*'] }]);
    expect(policy.warnings).toHaveLength(1);
  });

  it('builds every ARN from pseudo-parameters when the scope is a template\'s', () => {
    expect(machinePolicy(task('arn:aws:states:::lambda:invoke', { FunctionName: 'pay' }), { ...PSEUDO_SCOPE, machineName: 'shop' }).document.Statement[0].Resource).toEqual([
      'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:pay',
      'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:pay:*',
    ]);
  });
});

describe('the policy of each template, statement by statement', () => {
  const ACCOUNT = '111122223333';
  const REGION = 'eu-west-1';
  const cleanups: Array<() => void> = [];
  afterAll(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  /** A fresh project of one template, as `deliv init` writes it, for a known account. */
  function scaffolded(template: Template): { project: Project; target: ResolvedTarget } {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeProject(dir, planProject({ dir, name: 'shop', templates: [template.name], region: REGION, language: 'js' }));
    const project = loadProject(dir);
    project.config.targets.prod.accountId = ACCOUNT;
    return { project, target: resolveTarget(project, { target: 'prod' }) };
  }

  for (const template of listTemplates()) {
    it(`${template.name}: exactly its functions, topics, queues and model`, () => {
      const { project, target } = scaffolded(template);
      const policy = projectMachinePolicy(project, template.name, target);
      const byAction = new Map(policy.document.Statement.map((statement) => [statement.Action.join(','), statement.Resource]));
      const values = Object.fromEntries(Object.entries(project.config.targets.prod.substitutions ?? {}).map(([name, value]) => [name, value.replace('${AWS::AccountId}', ACCOUNT)]));

      const functions = template.parameters.filter((parameter) => parameter.function).map((parameter) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:shop-${parameter.function}`);
      expect(byAction.get('lambda:InvokeFunction')).toEqual(functions.flatMap((arn) => [arn, `${arn}:*`]).sort());
      const topics = template.parameters.filter((parameter) => parameter.name.endsWith('TopicArn')).map((parameter) => values[parameter.name]);
      expect(byAction.get('sns:Publish')).toEqual(topics.length > 0 ? topics : undefined);
      const queues = template.parameters.filter((parameter) => parameter.name.endsWith('QueueUrl')).map((parameter) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${values[parameter.name].split('/').at(-1)}`);
      expect(byAction.get('sqs:SendMessage')).toEqual(queues.length > 0 ? queues : undefined);
      const model = template.parameters.find((parameter) => parameter.name.endsWith('ModelId'));
      if (model) expect(byAction.get('bedrock:InvokeModel')).toContain(`arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/${values[model.name]}`);
      else expect(byAction.has('bedrock:InvokeModel')).toBe(false);
      // Nothing else: no wildcard, no integration the definition does not use.
      expect([...byAction.keys()].filter((actions) => !['lambda:InvokeFunction', 'sns:Publish', 'sqs:SendMessage', 'bedrock:InvokeModel'].includes(actions))).toEqual([]);
      expect(policy.warnings).toEqual([]);
    });
  }
});
