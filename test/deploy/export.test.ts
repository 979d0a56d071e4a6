/**
 * `deliv build --format sam|cloudformation` for a fresh project of each
 * template: checked by cfn-lint where it is installed, and always by a JSON
 * Schema of the resource types used (their required properties, as the
 * CloudFormation and SAM references give them; a FIFO topic's or queue's name
 * ends in `.fifo`, as theirs say) and by what the definitions need.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveTarget } from '../../src/aws/target.js';
import { exportProject, type ExportFormat } from '../../src/deploy/export.js';
import { loadProject, type Project } from '../../src/project/config.js';
import { planProject, writeProject } from '../../src/project/scaffold.js';
import { listTemplates } from '../../src/project/templates.js';
import { tempDir } from '../helpers/cli.js';

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Required properties per resource type (AWS CloudFormation and SAM resource references). */
const REQUIRED: Record<string, string[]> = {
  'AWS::Serverless::Function': ['CodeUri', 'Handler', 'Runtime'],
  'AWS::Serverless::StateMachine': ['DefinitionUri'],
  'AWS::Lambda::Function': ['Code', 'Role', 'Handler', 'Runtime'],
  'AWS::IAM::Role': ['AssumeRolePolicyDocument'],
  'AWS::StepFunctions::StateMachine': ['RoleArn', 'DefinitionS3Location'],
  'AWS::Logs::LogGroup': [],
  'AWS::SNS::Topic': [],
  'AWS::SQS::Queue': [],
};
const schema = {
  type: 'object',
  required: ['AWSTemplateFormatVersion', 'Resources'],
  properties: {
    Resources: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9]+$' },
      additionalProperties: {
        type: 'object',
        required: ['Type', 'Properties'],
        properties: { Type: { enum: Object.keys(REQUIRED) } },
        allOf: [
          ...Object.entries(REQUIRED).map(([type, required]) => ({ if: { properties: { Type: { const: type } } }, then: { properties: { Properties: { type: 'object', required } } } })),
          // AWS::SNS::Topic FifoTopic / AWS::SQS::Queue FifoQueue: true exactly when the name ends in `.fifo`.
          ...([['AWS::SNS::Topic', 'TopicName', 'FifoTopic'], ['AWS::SQS::Queue', 'QueueName', 'FifoQueue']] as const).map(([type, name, fifo]) => ({
            if: { properties: { Type: { const: type } } },
            then: {
              properties: {
                Properties: {
                  properties: { [name]: { type: 'string' }, [fifo]: { type: 'boolean' } },
                  if: { required: [fifo], properties: { [fifo]: { const: true } } },
                  then: { required: [name], properties: { [name]: { pattern: '\\.fifo$' } } },
                  else: { properties: { [name]: { not: { pattern: '\\.fifo$' } } } },
                },
              },
            },
          })),
        ],
      },
    },
  },
};
const validate = new Ajv({ allErrors: true }).compile(schema);

async function exported(template: string, format: ExportFormat, edit?: (project: Project) => void) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeProject(dir, planProject({ dir, name: 'shop', templates: [template], region: 'eu-west-1', language: 'ts' }));
  const project = loadProject(dir);
  edit?.(project);
  const result = await exportProject(project, resolveTarget(project, { target: 'prod' }), format);
  const file = path.join(dir, '.deliv', 'build', format, 'template.yaml');
  return { dir, file, result, body: parse(readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }>; Outputs?: Record<string, unknown> } };
}

for (const template of listTemplates()) {
  describe(`the ${template.name} template exported`, () => {
    for (const format of ['sam', 'cloudformation'] as const) {
      it(`as ${format}: every function, a role with the generated policy, the machine with its substitutions`, async () => {
        const { file, body, result } = await exported(template.name, format);
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
        expect(result.warnings).toEqual([]);
        const resources = body.Resources;
        const machine = Object.values(resources).find((resource) => resource.Type.endsWith('StateMachine'))!;
        for (const fn of Object.keys(template.functions)) {
          const id = fn.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
          const code = resources[`${id}Function`].Properties[format === 'sam' ? 'CodeUri' : 'Code'];
          // The bundled handler sits where the template says, with its source map.
          expect(existsSync(path.join(path.dirname(file), code, 'index.mjs'))).toBe(true);
          expect(existsSync(path.join(path.dirname(file), code, 'index.mjs.map'))).toBe(true);
          expect(machine.Properties.DefinitionSubstitutions[`${id}FunctionArn`]).toEqual({ 'Fn::GetAtt': [`${id}Function`, 'Arn'] });
        }
        // Every placeholder of the definition is mapped, and only those.
        const definitionFile = path.join(path.dirname(file), machine.Properties.DefinitionUri ?? machine.Properties.DefinitionS3Location);
        const used = [...new Set([...readFileSync(definitionFile, 'utf8').matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]))].sort();
        expect(Object.keys(machine.Properties.DefinitionSubstitutions ?? {}).sort()).toEqual(used);
        // One execution role for every function of the project, allowed to write their logs.
        const functionIds = Object.keys(resources).filter((id) => resources[id].Type.endsWith('::Function'));
        if (functionIds.length > 0) {
          expect(Object.values(resources).filter((resource) => resource.Type === 'AWS::IAM::Role' && JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'))).toHaveLength(1);
          for (const id of functionIds) expect(resources[id].Properties.Role).toEqual({ 'Fn::GetAtt': ['FunctionsRole', 'Arn'] });
          expect(resources.FunctionsRole.Properties.Policies[0].PolicyDocument.Statement[0].Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
        }
        const policy = format === 'sam' ? machine.Properties.Policies[0] : resources[machine.Properties.RoleArn['Fn::GetAtt'][0]].Properties.Policies[0].PolicyDocument;
        const invoke = policy.Statement.find((statement: { Action: string[] }) => statement.Action.includes('lambda:InvokeFunction'));
        expect(invoke.Resource).toContainEqual({ 'Fn::Sub': `\${${Object.keys(template.functions).map((fn) => fn.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join(''))[0]}Function.Arn}` });
      });

    }
  });
}

describe('the topics and queues the machines use', () => {
  const statementOf = (policy: { Statement: Array<{ Action: string[]; Resource: unknown[] }> }, action: string) => policy.Statement.find((statement) => statement.Action.includes(action))!;

  for (const format of ['sam', 'cloudformation'] as const) {
    it(`as ${format}: declared in the stack, tagged, and referenced by the substitutions and the policy`, async () => {
      const { body } = await exported('support-triage', format);
      const resources = body.Resources;
      expect(resources.CustomerMessagesTopic).toEqual({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'customer-messages', Tags: [{ Key: 'deliv:project', Value: 'shop' }] } });
      expect(resources.SupportEscalationsQueue).toEqual({ Type: 'AWS::SQS::Queue', Properties: { QueueName: 'support-escalations', Tags: [{ Key: 'deliv:project', Value: 'shop' }] } });
      const machine = resources.SupportTriageStateMachine;
      // Ref of a topic is its ARN, of a queue its URL: what the definition's TopicArn and QueueUrl take.
      expect(machine.Properties.DefinitionSubstitutions.CustomerMessagesTopicArn).toEqual({ Ref: 'CustomerMessagesTopic' });
      expect(machine.Properties.DefinitionSubstitutions.EscalationQueueUrl).toEqual({ Ref: 'SupportEscalationsQueue' });
      const policy = format === 'sam' ? machine.Properties.Policies[0] : resources.SupportTriageStateMachineRole.Properties.Policies[0].PolicyDocument;
      expect(statementOf(policy, 'sns:Publish').Resource).toEqual([{ Ref: 'CustomerMessagesTopic' }]);
      expect(statementOf(policy, 'sqs:SendMessage').Resource).toEqual([{ 'Fn::GetAtt': ['SupportEscalationsQueue', 'Arn'] }]);
      expect(Object.keys(body.Outputs ?? {})).toEqual(expect.arrayContaining(['CustomerMessagesTopicArn', 'SupportEscalationsQueueUrl']));
    });
  }

  it('makes a `.fifo` name a FIFO topic or queue, and leaves one of another account referenced as it is', async () => {
    const { body } = await exported('support-triage', 'cloudformation', (project) => {
      Object.assign(project.config.targets.prod.substitutions!, {
        CustomerMessagesTopicArn: 'arn:aws:sns:eu-west-1:444455556666:shared-messages',
        EscalationQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/${AWS::AccountId}/escalations.fifo',
      });
    });
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    const resources = body.Resources;
    expect(resources.EscalationsFifoQueue.Properties).toEqual({ QueueName: 'escalations.fifo', FifoQueue: true, Tags: [{ Key: 'deliv:project', Value: 'shop' }] });
    // The check itself refuses a FIFO queue without the `.fifo` name.
    expect(validate({ ...body, Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'escalations', FifoQueue: true } } } })).toBe(false);
    expect(Object.values(resources).filter((resource) => resource.Type === 'AWS::SNS::Topic')).toEqual([]);
    const machine = resources.SupportTriageStateMachine;
    expect(machine.Properties.DefinitionSubstitutions.CustomerMessagesTopicArn).toBe('arn:aws:sns:eu-west-1:444455556666:shared-messages');
    const policy = resources.SupportTriageStateMachineRole.Properties.Policies[0].PolicyDocument;
    expect(statementOf(policy, 'sns:Publish').Resource).toEqual(['arn:aws:sns:eu-west-1:444455556666:shared-messages']);
  });

  it('declares a FIFO topic for a `.fifo` topic name', async () => {
    const { body } = await exported('support-triage', 'sam', (project) => {
      project.config.targets.prod.substitutions!.CustomerMessagesTopicArn = 'arn:aws:sns:eu-west-1:${AWS::AccountId}:customer-messages.fifo';
    });
    expect(body.Resources.CustomerMessagesFifoTopic.Properties).toEqual({ TopicName: 'customer-messages.fifo', FifoTopic: true, Tags: [{ Key: 'deliv:project', Value: 'shop' }] });
  });
});

describe('cfn-lint', () => {
  for (const format of ['sam', 'cloudformation'] as const) {
    // One run over every template's export: cfn-lint takes seconds to start.
    it.skipIf(!cfnLint)(`passes the ${format} export of every template`, async () => {
      const files = await Promise.all(listTemplates().map(async (template) => (await exported(template.name, format)).file));
      // A FIFO topic and queue too: cfn-lint checks a FIFO one's name ends in `.fifo`.
      files.push((await exported('support-triage', format, (project) => {
        Object.assign(project.config.targets.prod.substitutions!, {
          CustomerMessagesTopicArn: 'arn:aws:sns:eu-west-1:${AWS::AccountId}:customer-messages.fifo',
          EscalationQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/${AWS::AccountId}/escalations.fifo',
        });
      })).file);
      // W3002: local code paths are for `aws cloudformation package`, which is how a plain template is deployed.
      const args = [...(format === 'cloudformation' ? ['--ignore-checks', 'W3002'] : []), '--', ...files];
      let output = '';
      try {
        output = execFileSync('cfn-lint', args, { encoding: 'utf8' });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output).toBe('');
    }, 60_000);
  }
});
