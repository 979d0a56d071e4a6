/**
 * The project as a template a team can own: SAM (`AWS::Serverless::*`) or
 * plain CloudFormation, with the same functions, the same generated
 * least-privilege policies and the same definitions deliv deploys itself.
 *
 * Definitions keep their `${Name}` placeholders and the template maps them in
 * DefinitionSubstitutions: a function's ARN becomes `Fn::GetAtt`, a topic or
 * queue the stack declares `Ref`, a target value that names the account or
 * Region `Fn::Sub`. Local paths
 * (`CodeUri`, `DefinitionUri`, `Code`, `DefinitionS3Location`) are relative to
 * the template, ready for `sam deploy` or `aws cloudformation package`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { placeholderPattern } from '../asl/placeholder.js';
import type { StateMachineDefinition } from '../asl/types.js';
import { PSEUDO_SCOPE, queueArnFromUrl } from '../aws/arn.js';
import type { ResolvedTarget } from '../aws/target.js';
import type { Project } from '../project/config.js';
import { loadDefinitionFile, renderStateMachine } from '../project/definition.js';
import { confinedOutput } from '../project/check.js';
import { functionPlaceholder, PROJECT_TAG } from '../project/names.js';
import { UsageError } from '../ui/errors.js';
import { LAMBDA_HANDLER, packageFunction } from './bundle.js';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from './functions.js';
import { machinePolicy, type PolicyDocument } from './policy.js';
import { machineLogging } from './logging.js';
import { referencedMessaging } from './messaging.js';
import { loggingEnabled, targetScope } from './resources.js';
import { lambdaTrust, stateMachineTrust } from './roles.js';

export type ExportFormat = 'sam' | 'cloudformation';

export interface ExportResult {
  format: ExportFormat;
  /** The template, relative to the current folder. */
  template: string;
  files: string[];
  resources: Record<string, string>;
  warnings: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `charge-payment` → `ChargePayment`: CloudFormation logical IDs are alphanumeric. */
export function logicalId(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

/**
 * A string of the project as the template writes it: a topic's or queue's ARN or URL the stack
 * declares as a reference to that resource (`references`), else with `${…}` in it as Fn::Sub,
 * with `${XFunctionArn}` read as the function resource's Arn.
 */
function sub(text: string, functionIds: Map<string, string>, references: Map<string, Json> = new Map()): Json {
  const reference = references.get(text);
  if (reference !== undefined) return reference;
  if (!text.includes('${')) return text;
  const replaced = text.replace(placeholderPattern('g'), (whole, name: string) => (functionIds.has(name) ? `\${${functionIds.get(name)}.Arn}` : whole));
  return { 'Fn::Sub': replaced };
}

function policyJson(document: PolicyDocument | { Version: string; Statement: Array<Record<string, unknown>> }, functionIds: Map<string, string>, references?: Map<string, Json>): Json {
  return {
    Version: document.Version,
    Statement: document.Statement.map((statement) => {
      const resources = ([] as unknown[]).concat((statement as { Resource?: unknown }).Resource ?? []);
      return { ...(statement as Record<string, Json>), Resource: resources.map((resource) => sub(String(resource), functionIds, references)) };
    }),
  };
}

export async function exportProject(project: Project, target: ResolvedTarget, format: ExportFormat, outDir = path.join(project.root, '.deliv', 'build', format)): Promise<ExportResult> {
  const sam = format === 'sam';
  const resources: Record<string, Json> = {};
  const kinds: Record<string, string> = {};
  const files: string[] = [];
  const warnings: string[] = [];
  const add = (id: string, type: string, properties: Record<string, Json>) => {
    resources[id] = { Type: type, Properties: properties };
    kinds[id] = type;
  };
  const write = (relative: string, contents: string | Uint8Array) => {
    const file = confinedOutput(project.root, path.join(outDir, relative));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
    files.push(relative);
  };

  const functions = Object.entries(project.config.functions ?? {});
  const functionIds = new Map(functions.map(([key]) => [functionPlaceholder(key), `${logicalId(key)}Function`]));
  const tags = { [PROJECT_TAG]: project.config.name };

  if (functions.length > 0) {
    // One execution role for all of the project's functions, as `deliv deploy` makes (SAM would make one per function).
    // CloudFormation and SAM name the functions `<stack>-<logical id>-<suffix>`: the role may write those log groups.
    const extra = functions.flatMap(([, config]) => (config.permissions ?? []).map((statement) => ({ Effect: 'Allow', ...statement }) as Record<string, unknown>));
    const logs = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AWS::StackName}-*'] }, ...extra] };
    add('FunctionsRole', 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: lambdaTrust() as unknown as Json,
      Policies: [{ PolicyName: 'deliv-function-logs', PolicyDocument: policyJson(logs, functionIds) }],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    });
  }
  for (const [key, config] of functions) {
    const built = await packageFunction(project, key, config);
    const { unzipSync } = await import('fflate');
    for (const [name, contents] of Object.entries(unzipSync(built.zip))) write(`functions/${key}/${name}`, contents);
    const id = `${logicalId(key)}Function`;
    const common: Record<string, Json> = {
      Handler: LAMBDA_HANDLER,
      Runtime: built.runtime,
      MemorySize: config.memoryMB ?? DEFAULT_MEMORY_MB,
      Timeout: config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      Architectures: [config.architecture ?? 'x86_64'],
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', ...config.environment } },
      Description: `deliv: ${key} of project ${project.config.name}`,
    };
    if (sam) {
      // With a Role, SAM makes no role of its own for the function: deliv.yaml's permissions are in FunctionsRole.
      add(id, 'AWS::Serverless::Function', { CodeUri: `functions/${key}/`, ...common, Role: { 'Fn::GetAtt': ['FunctionsRole', 'Arn'] }, Tags: tags });
    } else {
      add(id, 'AWS::Lambda::Function', { Code: `functions/${key}/`, ...common, Role: { 'Fn::GetAtt': ['FunctionsRole', 'Arn'] }, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
    }
    add(`${id}LogGroup`, 'AWS::Logs::LogGroup', { LogGroupName: { 'Fn::Sub': `/aws/lambda/\${${id}}` }, RetentionInDays: 30 });
  }

  // The policy reads each definition with the target's values and the functions still `${Name}`;
  // the template carries the definition as written, every `${Name}` for DefinitionSubstitutions.
  const keep = Object.fromEntries([...functionIds.keys()].map((name) => [name, `\${${name}}`]));
  const rendered = new Map(Object.keys(project.config.stateMachines).map((machine) => [machine, renderStateMachine(project, machine, target.name, keep)]));
  const references = declareMessaging(project, target, rendered, add, tags);

  for (const [machine, config] of Object.entries(project.config.stateMachines)) {
    const id = `${logicalId(machine)}StateMachine`;
    const raw = rendered.get(machine)!;
    const asWritten = loadDefinitionFile(path.resolve(project.root, config.definition));
    const placeholders = asWritten.placeholders;
    const substitutions: Record<string, Json> = {};
    for (const name of placeholders) {
      if (functionIds.has(name)) substitutions[name] = { 'Fn::GetAtt': [functionIds.get(name)!, 'Arn'] };
      else if (target.substitutions[name] !== undefined) substitutions[name] = sub(target.substitutions[name], functionIds, references);
      else throw new UsageError(`\${${name}} in ${config.definition} has no value for target \`${target.name}\``, { hint: `add it to targets.${target.name}.substitutions in ${project.file}` });
    }
    const definitionFile = `statemachines/${machine}.asl.json`;
    write(definitionFile, `${JSON.stringify(asWritten.definition, null, 2)}\n`);

    const policy = machinePolicy(raw.definition, { ...PSEUDO_SCOPE, machineName: machine, logging: loggingEnabled(project, machine, target), tracing: config.tracing === true });
    warnings.push(...policy.warnings.map((warning) => `${machine}: ${warning}`));
    const document = policyJson(policy.document, functionIds, references);

    let logging: Json | undefined;
    const logs = machineLogging(project, target, machine);
    if (logs) {
      let destination: Json = logs.logGroupArn ?? '';
      if (!logs.logGroupArn) {
        add(`${id}LogGroup`, 'AWS::Logs::LogGroup', { LogGroupName: logs.logGroupName, RetentionInDays: logs.retentionInDays ?? 30 });
        destination = { 'Fn::GetAtt': [`${id}LogGroup`, 'Arn'] };
      }
      logging = { Level: logs.level, IncludeExecutionData: logs.includeExecutionData, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: destination } }] };
    }
    if (sam) {
      add(id, 'AWS::Serverless::StateMachine', {
        // The deliv.yaml name, as deliv deploys it: the policy's own-machine ARNs (a Distributed Map's children) use it.
        Name: machine,
        Type: config.type,
        DefinitionUri: definitionFile,
        ...(Object.keys(substitutions).length > 0 ? { DefinitionSubstitutions: substitutions } : {}),
        Policies: [document],
        ...(logging ? { Logging: logging } : {}),
        ...(config.tracing ? { Tracing: { Enabled: true } } : {}),
        Tags: tags,
      });
    } else {
      const trust = stateMachineTrust('${AWS::AccountId}');
      add(`${id}Role`, 'AWS::IAM::Role', {
        AssumeRolePolicyDocument: { ...trust, Statement: trust.Statement.map((statement) => ({ ...statement, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })) } as unknown as Json,
        Policies: [{ PolicyName: 'deliv-state-machine', PolicyDocument: document }],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      });
      add(id, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: machine,
        StateMachineType: config.type,
        DefinitionS3Location: definitionFile,
        ...(Object.keys(substitutions).length > 0 ? { DefinitionSubstitutions: substitutions } : {}),
        RoleArn: { 'Fn::GetAtt': [`${id}Role`, 'Arn'] },
        ...(logging ? { LoggingConfiguration: logging } : {}),
        ...(config.tracing ? { TracingConfiguration: { Enabled: true } } : {}),
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      });
    }
  }

  const template: Record<string, Json> = {
    AWSTemplateFormatVersion: '2010-09-09',
    ...(sam ? { Transform: 'AWS::Serverless-2016-10-31' } : {}),
    Description: `${project.config.name}: exported by deliv from ${path.basename(project.file)} (target ${target.name})`,
    Resources: resources,
    Outputs: Object.fromEntries(Object.keys(resources).filter((id) => /StateMachine$|Function$|Topic$|Queue$/.test(id)).map((id) => [
      `${id}${id.endsWith('Queue') ? 'Url' : 'Arn'}`,
      { Value: (id.endsWith('Function') ? { 'Fn::GetAtt': [id, 'Arn'] } : { Ref: id }) as Json },
    ])),
  };
  write('template.yaml', stringify(template, { lineWidth: 0, aliasDuplicateObjects: false }));
  const shown = path.relative(process.cwd(), path.join(outDir, 'template.yaml'));
  return { format, template: shown.startsWith('..') ? path.join(outDir, 'template.yaml') : shown, files: files.sort(), resources: kinds, warnings };
}

/**
 * The SNS topics and SQS queues the machines use in the stack's own account and Region (the
 * target's, or `${AWS::AccountId}`), as `deploy --create-missing` reads them: declared, tagged
 * `deliv:project`, FIFO for a `.fifo` name. Gives what refers to each: a topic's ARN becomes
 * `Ref` (its ARN), a queue's ARN `Fn::GetAtt Arn` and its URL `Ref`, so the machine and its role
 * name the stack's resource and CloudFormation creates it first. Others are left as written.
 */
function declareMessaging(project: Project, target: ResolvedTarget, rendered: Map<string, { definition: StateMachineDefinition }>, add: (id: string, type: string, properties: Record<string, Json>) => void, tags: Record<string, string>): Map<string, Json> {
  const scope = targetScope(target);
  const references = new Map<string, Json>();
  const used = referencedMessaging([...rendered].map(([machine, { definition }]) => ({ machine, definition })), scope);
  for (const resource of used.filter((candidate) => candidate.change !== 'elsewhere')) {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (resource.kind === 'topic') {
      const id = `${logicalId(resource.name)}Topic`;
      add(id, 'AWS::SNS::Topic', { TopicName: resource.name, ...(resource.fifo ? { FifoTopic: true } : {}), Tags });
      references.set(resource.arn, { Ref: id });
    } else {
      const id = `${logicalId(resource.name)}Queue`;
      add(id, 'AWS::SQS::Queue', { QueueName: resource.name, ...(resource.fifo ? { FifoQueue: true } : {}), Tags });
      references.set(resource.arn, { 'Fn::GetAtt': [id, 'Arn'] });
      // The definitions name a queue by URL (QueueUrl): each value of the target that is this queue's URL.
      for (const value of Object.values(target.substitutions)) if (queueArnFromUrl(value, scope) === resource.arn) references.set(value, { Ref: id });
    }
  }
  return references;
}
