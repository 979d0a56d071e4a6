/**
 * The least-privilege IAM policy a state machine's role needs, read from its
 * definition: for every Task the action the integration calls and exactly the
 * resources it names, as AWS's "IAM policies for integrated services" pages
 * describe them; plus log delivery when logging is on and X-Ray when tracing is.
 *
 * Resources keep what cannot be known yet: a `${Name}` placeholder left in the
 * definition stays a `${Name}` in the policy (a CloudFormation export fills it
 * with Fn::Sub), and the scope may be CloudFormation pseudo-parameters. A
 * resource chosen at run time (`FunctionName.$`, a JSONata expression) gets the
 * narrowest wildcard that still works, with a warning that says so.
 */
import type { JsonValue, MapState, StateMachineDefinition, TaskState } from '../asl/types.js';
import { everyState, isDistributed } from '../asl/walk.js';
import { buildArn, parseArn, placeholderName, queueArnFromUrl, splitFields, type ArnScope } from '../aws/arn.js';

export interface PolicyContext extends ArnScope {
  /** The state machine's own name (Distributed Map children run as its executions). */
  machineName: string;
  /** CloudWatch Logs logging is on (level other than OFF). */
  logging?: boolean;
  /** X-Ray tracing is on. */
  tracing?: boolean;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** One reason for a permission: which state (or setting) needs which actions on what. */
export interface PolicyGrant {
  /** State name, dotted through Parallel/Map (`ChargeAndReserve.ChargePayment`), or `(logging)`/`(tracing)`. */
  source: string;
  /** The integration, as written after `arn:aws:states:::` (`lambda:invoke`), or `lambda` for a function ARN. */
  integration: string;
  actions: string[];
  resources: string[];
}

export interface MachinePolicy {
  document: PolicyDocument;
  grants: PolicyGrant[];
  /** What the generator could not scope exactly, or did not grant at all. */
  warnings: string[];
}

/** The rule Step Functions creates to learn that a `.sync` child execution ended. */
export const SYNC_EXECUTION_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

/** AWS's documented permissions for delivering execution logs to CloudWatch Logs (they accept only `*`). */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:CreateLogStream',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutLogEvents',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

/** A field of a Task's Parameters (JSONPath) or Arguments (JSONata). */
type FieldValue = { kind: 'static'; value: JsonValue } | { kind: 'dynamic'; expression: string } | { kind: 'absent' };

export function machinePolicy(definition: StateMachineDefinition, context: PolicyContext): MachinePolicy {
  const grants: PolicyGrant[] = [];
  const warnings: string[] = [];
  const grant = (source: string, integration: string, actions: string[], resources: string[]) => grants.push({ source, integration, actions, resources });

  for (const visited of everyState(definition)) {
    const source = stateLabel(visited.path);
    if (visited.state.Type === 'Map' && isDistributed(visited.state as MapState)) {
      distributedMapGrants(visited.state as MapState, source, context, grant, warnings);
    }
    if (visited.state.Type !== 'Task') continue;
    taskGrants(visited.state as TaskState, source, context, grant, warnings);
  }
  if (context.logging) grant('(logging)', 'logs', LOG_DELIVERY_ACTIONS, ['*']);
  if (context.tracing) grant('(tracing)', 'xray', XRAY_ACTIONS, ['*']);
  return { document: toDocument(grants), grants, warnings };
}

type Grant = (source: string, integration: string, actions: string[], resources: string[]) => void;

function taskGrants(task: TaskState, source: string, context: PolicyContext, grant: Grant, warnings: string[]): void {
  const resource = typeof task.Resource === 'string' ? task.Resource : '';
  const placeholder = placeholderName(resource);
  if (placeholder) {
    // `Resource: ${CheckStockFunctionArn}`: a function ARN filled at deploy (activities need no permission).
    if (/activity/i.test(placeholder)) return;
    grant(source, 'lambda', ['lambda:InvokeFunction'], lambdaResources(resource, context));
    return;
  }
  const arn = parseArn(resource);
  if (!arn) {
    warnings.push(`${source}: Resource \`${resource}\` is not an ARN; no permission generated for it`);
    return;
  }
  if (arn.service === 'lambda') {
    grant(source, 'lambda', ['lambda:InvokeFunction'], lambdaResources(resource, context));
    return;
  }
  if (arn.service !== 'states') {
    warnings.push(`${source}: no permission generated for Resource \`${resource}\``);
    return;
  }
  // `activity:Name` resources are polled by workers: the role itself needs nothing.
  if (arn.resource.startsWith('activity:')) return;
  const integration = integrationOf(arn.resource);
  const { service, action, pattern } = integration;
  const field = (name: string) => taskField(task, name);
  const label = `${service}:${action}${pattern}`;

  switch (`${service}:${action}`) {
    case 'lambda:invoke': {
      const name = field('FunctionName');
      grant(source, label, ['lambda:InvokeFunction'], name.kind === 'static' && typeof name.value === 'string'
        ? lambdaResources(name.value, context)
        : dynamicResource(source, 'FunctionName', buildArn(context, 'lambda', 'function:*'), warnings));
      return;
    }
    case 'sns:publish':
      // PhoneNumber: SMS has no resource ARN.
      grant(source, label, ['sns:Publish'], messagingResources('sns', field, source, context, warnings) ?? ['*']);
      return;
    case 'sqs:sendMessage':
      grant(source, label, ['sqs:SendMessage'], messagingResources('sqs', field, source, context, warnings) ?? dynamicResource(source, 'QueueUrl', buildArn(context, 'sqs', '*'), warnings));
      return;
    case 'bedrock:invokeModel': {
      const model = field('ModelId');
      grant(source, label, ['bedrock:InvokeModel'], model.kind === 'static' && typeof model.value === 'string'
        ? bedrockResources(model.value, context, source, warnings)
        : dynamicResource(source, 'ModelId', buildArn(context, 'bedrock', 'foundation-model/*', { region: '*', account: '' }), warnings));
      for (const [fieldName, s3Action] of [['Input', 's3:GetObject'], ['Output', 's3:PutObject']] as const) {
        const location = field(fieldName);
        if (location.kind !== 'static' || !location.value || typeof location.value !== 'object' || Array.isArray(location.value)) continue;
        const uri = (location.value as Record<string, JsonValue>).S3Uri;
        if (typeof uri === 'string') grant(source, label, [s3Action], [s3ObjectArn(uri, context)]);
        else warnings.push(`${source}: ${fieldName}.S3Uri is chosen at run time; allow ${s3Action} on its bucket by hand`);
      }
      return;
    }
    case 'states:startExecution': {
      const target = field('StateMachineArn');
      const machine = target.kind === 'static' && typeof target.value === 'string' ? target.value : undefined;
      const machines = machine ? [machine] : dynamicResource(source, 'StateMachineArn', buildArn(context, 'states', 'stateMachine:*'), warnings);
      grant(source, label, ['states:StartExecution'], machines);
      if (pattern.startsWith('.sync')) {
        // Step Functions follows the child through DescribeExecution, stops it when the parent stops,
        // and learns that it ended through an EventBridge rule it manages in the account.
        grant(source, label, ['states:DescribeExecution', 'states:StopExecution'], [childExecutions(machine, context, source, warnings)]);
        grant(source, label, ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], [buildArn(context, 'events', `rule/${SYNC_EXECUTION_RULE}`)]);
      }
      return;
    }
    case 'events:putEvents': {
      const entries = field('Entries');
      const buses = new Set<string>();
      if (entries.kind === 'static' && Array.isArray(entries.value)) {
        for (const entry of entries.value) {
          const bus = entry && typeof entry === 'object' && !Array.isArray(entry) ? entry.EventBusName : undefined;
          if (bus === undefined) buses.add(buildArn(context, 'events', 'event-bus/default'));
          else if (typeof bus === 'string') buses.add(parseArn(bus) || placeholderName(bus) ? bus : buildArn(context, 'events', `event-bus/${bus}`));
          else buses.add(buildArn(context, 'events', 'event-bus/*'));
        }
      }
      grant(source, label, ['events:PutEvents'], buses.size > 0 ? [...buses] : dynamicResource(source, 'Entries', buildArn(context, 'events', 'event-bus/*'), warnings));
      return;
    }
    case 'dynamodb:getItem':
    case 'dynamodb:putItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:deleteItem': {
      const table = field('TableName');
      const tables = table.kind === 'static' && typeof table.value === 'string'
        ? [parseArn(table.value) || placeholderName(table.value) ? table.value : buildArn(context, 'dynamodb', `table/${table.value}`)]
        : dynamicResource(source, 'TableName', buildArn(context, 'dynamodb', 'table/*'), warnings);
      grant(source, label, [`dynamodb:${pascal(action)}`], tables);
      return;
    }
  }
  if (service === 'aws-sdk') {
    // `arn:aws:states:::aws-sdk:sqs:purgeQueue`: the action is known, its resource fields differ per API.
    const [sdkService, sdkAction] = [action, pattern.replace(/^:/, '')];
    const iamAction = `${iamPrefix(sdkService)}:${pascal(sdkAction.replace(/\.waitForTaskToken$/, ''))}`;
    // SNS and SQS API calls name their topic or queue in the same fields as the optimized integrations.
    const named = sdkService === 'sns' || sdkService === 'sqs' ? messagingResources(sdkService, field, source, context, warnings) : undefined;
    if (named) {
      grant(source, label, [iamAction], named);
      return;
    }
    grant(source, label, [iamAction], ['*']);
    warnings.push(`${source}: ${label} is granted on every resource; narrow Resource to what the call touches`);
    return;
  }
  warnings.push(`${source}: no permission generated for the ${label} integration; add it from AWS's IAM page for that service`);
}

/** A Distributed Map runs its iterations as child executions of this same state machine. */
function distributedMapGrants(map: MapState, source: string, context: PolicyContext, grant: Grant, warnings: string[]): void {
  grant(source, 'map:distributed', ['states:StartExecution'], [buildArn(context, 'states', `stateMachine:${context.machineName}`)]);
  grant(source, 'map:distributed', ['states:DescribeExecution', 'states:StopExecution'], [buildArn(context, 'states', `execution:${context.machineName}/*`)]);
  const reader = map.ItemReader;
  if (reader && typeof reader.Resource === 'string') {
    const { action } = integrationOf(parseArn(reader.Resource)?.resource ?? '');
    const parameters = (reader.Parameters ?? reader.Arguments) as Record<string, JsonValue> | undefined;
    const bucket = typeof parameters?.Bucket === 'string' ? parameters.Bucket : undefined;
    if (!bucket) warnings.push(`${source}: the ItemReader bucket is chosen at run time; allow S3 reads on it by hand`);
    else if (action === 'listObjectsV2') grant(source, 'map:itemReader', ['s3:ListBucket'], [buildArn(context, 's3', bucket, { region: '', account: '' })]);
    else {
      const key = typeof parameters?.Key === 'string' ? parameters.Key : '*';
      grant(source, 'map:itemReader', ['s3:GetObject'], [buildArn(context, 's3', `${bucket}/${key}`, { region: '', account: '' })]);
    }
  }
  const writer = map.ResultWriter as Record<string, JsonValue> | undefined;
  // A ResultWriter with WriterConfig alone previews the results in the state's output and writes nothing to S3.
  if (writer && typeof writer === 'object' && writer.Resource !== undefined) {
    const parameters = (writer.Parameters ?? writer.Arguments) as Record<string, JsonValue> | undefined;
    const bucket = typeof parameters?.Bucket === 'string' ? parameters.Bucket : undefined;
    const prefix = typeof parameters?.Prefix === 'string' ? parameters.Prefix.replace(/\/?$/, '/') : '';
    if (bucket) {
      grant(source, 'map:resultWriter', ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], [buildArn(context, 's3', `${bucket}/${prefix}*`, { region: '', account: '' })]);
    } else warnings.push(`${source}: the ResultWriter bucket is chosen at run time; allow S3 writes on it by hand`);
  }
}

/** `lambda:invoke.waitForTaskToken` → lambda, invoke, .waitForTaskToken; `states:startExecution.sync:2` → .sync:2. */
function integrationOf(resource: string): { service: string; action: string; pattern: string } {
  const [service = '', rest = '', ...more] = resource.split(':');
  const dot = rest.indexOf('.');
  const action = dot < 0 ? rest : rest.slice(0, dot);
  const suffix = dot < 0 ? '' : rest.slice(dot);
  // aws-sdk keeps its API name in the third field: `aws-sdk:s3:getObject`.
  return { service, action, pattern: `${suffix}${more.length > 0 ? `:${more.join(':')}` : ''}` };
}

function taskField(task: TaskState, name: string): FieldValue {
  const container = (task.Parameters ?? task.Arguments) as JsonValue | undefined;
  if (typeof container === 'string') return isJsonata(container) ? { kind: 'dynamic', expression: container } : { kind: 'absent' };
  if (!container || typeof container !== 'object' || Array.isArray(container)) return { kind: 'absent' };
  const pathValue = container[`${name}.$`];
  if (typeof pathValue === 'string') return { kind: 'dynamic', expression: pathValue };
  if (!(name in container)) return { kind: 'absent' };
  const value = container[name];
  if (typeof value === 'string' && isJsonata(value)) return { kind: 'dynamic', expression: value };
  return { kind: 'static', value };
}

/**
 * The topic (`TopicArn`, or `TargetArn` of Publish) or the queue (`QueueUrl`, as an ARN) a Task's
 * fields name, for the optimized integrations and the aws-sdk ones alike; a field chosen at run
 * time widens to the account's topics or queues. `undefined` when the Task names none.
 */
function messagingResources(service: 'sns' | 'sqs', field: (name: string) => FieldValue, source: string, context: ArnScope, warnings: string[]): string[] | undefined {
  const [name, value] = service === 'sns' ? (['TopicArn', firstPresent(field('TopicArn'), field('TargetArn'))] as const) : (['QueueUrl', field('QueueUrl')] as const);
  if (value.kind === 'static' && typeof value.value === 'string') return service === 'sns' ? [value.value] : queueResources(value.value, source, context, warnings);
  if (value.kind === 'dynamic') return dynamicResource(source, name, buildArn(context, service, '*'), warnings);
  return undefined;
}

function firstPresent(...values: FieldValue[]): FieldValue {
  return values.find((value) => value.kind !== 'absent') ?? { kind: 'absent' };
}

function isJsonata(text: string): boolean {
  return text.trimStart().startsWith('{%') && text.trimEnd().endsWith('%}');
}

function dynamicResource(source: string, field: string, wildcard: string, warnings: string[]): string[] {
  warnings.push(`${source}: ${field} is chosen at run time, so the permission covers ${wildcard}`);
  return [wildcard];
}

/**
 * The ARNs to allow for a FunctionName (a name, `name:alias`, `account:function:name`, a full
 * ARN, or a `${Name}` filled at deploy). An unqualified function also gets its versions and
 * aliases (`:*`), as AWS's own generated policies do.
 */
export function lambdaResources(functionName: string, scope: ArnScope): string[] {
  if (placeholderName(functionName)) return [functionName, `${functionName}:*`];
  const arn = parseArn(functionName);
  let name: string;
  let qualifier: string | undefined;
  let base: string;
  if (arn) {
    const [, fnName, fnQualifier] = splitFields(arn.resource);
    name = fnName ?? '';
    qualifier = fnQualifier;
    base = buildArn({ partition: arn.partition, region: arn.region, account: arn.account }, 'lambda', `function:${name}`);
  } else {
    const fields = splitFields(functionName);
    if (fields.length >= 3 && fields[1] === 'function') {
      // `123456789012:function:name[:qualifier]`: the account given, the region the machine's.
      [name, qualifier] = [fields[2], fields[3]];
      base = buildArn(scope, 'lambda', `function:${name}`, { account: fields[0] });
    } else {
      [name, qualifier] = [fields[0], fields[1]];
      base = buildArn(scope, 'lambda', `function:${name}`);
    }
  }
  return qualifier ? [`${base}:${qualifier}`] : [base, `${base}:*`];
}

function queueResources(url: string, source: string, scope: ArnScope, warnings: string[]): string[] {
  if (parseArn(url)) return [url];
  const arn = queueArnFromUrl(url, scope);
  if (arn) return [arn];
  return dynamicResource(source, `QueueUrl \`${url}\` (not a queue URL deliv can read)`, buildArn(scope, 'sqs', '*'), warnings);
}

/** Geography prefixes of Bedrock's cross-Region inference profiles (`us.anthropic…`, `global.anthropic…`). */
const PROFILE_PREFIXES = ['us', 'eu', 'apac', 'jp', 'au', 'ca', 'us-gov', 'global'];

/**
 * A model id, a foundation-model ARN, or an inference profile (id or ARN). A
 * profile routes to the foundation model in the Regions of its geography, so
 * the role needs the profile and the model in those Regions (`*`); a global
 * profile also routes to the Region-less model ARN.
 */
export function bedrockResources(modelId: string, scope: ArnScope, source: string, warnings: string[]): string[] {
  const arn = parseArn(modelId);
  if (arn) {
    const profile = /^inference-profile\/(.+)$/.exec(arn.resource);
    if (profile) return profileResources(modelId, profile[1], scope);
    if (arn.resource.startsWith('application-inference-profile/')) {
      warnings.push(`${source}: an application inference profile also needs bedrock:InvokeModel on the foundation models it routes to`);
    }
    return [modelId];
  }
  if (placeholderName(modelId)) {
    return dynamicResource(source, `ModelId ${modelId} (no value for this target)`, buildArn(scope, 'bedrock', 'foundation-model/*', { region: '*', account: '' }), warnings);
  }
  const prefix = modelId.split('.')[0];
  if (PROFILE_PREFIXES.includes(prefix) && modelId.split('.').length > 2) {
    return profileResources(buildArn(scope, 'bedrock', `inference-profile/${modelId}`), modelId, scope);
  }
  return [buildArn(scope, 'bedrock', `foundation-model/${modelId}`, { account: '' })];
}

function profileResources(profileArn: string, profileId: string, scope: ArnScope): string[] {
  const model = profileId.slice(profileId.indexOf('.') + 1);
  const resources = [profileArn, buildArn(scope, 'bedrock', `foundation-model/${model}`, { region: '*', account: '' })];
  if (profileId.startsWith('global.')) resources.push(buildArn(scope, 'bedrock', `foundation-model/${model}`, { region: '', account: '' }));
  return resources;
}

/** `arn:…:stateMachine:Child[:alias]` → `arn:…:execution:Child:*`. */
function childExecutions(machineArn: string | undefined, scope: ArnScope, source: string, warnings: string[]): string {
  const arn = machineArn ? parseArn(machineArn) : undefined;
  if (arn) {
    const [, name] = splitFields(arn.resource);
    if (name) return `arn:${arn.partition}:states:${arn.region}:${arn.account}:execution:${name}:*`;
  }
  const wildcard = buildArn(scope, 'states', 'execution:*');
  warnings.push(`${source}: the child state machine ${machineArn ?? '(chosen at run time)'} has no name deliv can read, so DescribeExecution/StopExecution cover ${wildcard}`);
  return wildcard;
}

function s3ObjectArn(uri: string, scope: ArnScope): string {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const [bucket, key] = match ? [match[1], match[2] || '*'] : ['*', '*'];
  return buildArn(scope, 's3', `${bucket}/${key}`, { region: '', account: '' });
}

/** IAM prefixes that differ from the SDK's service name. */
const IAM_PREFIXES: Record<string, string> = { sfn: 'states', cloudwatchlogs: 'logs', elasticloadbalancingv2: 'elasticloadbalancing', efs: 'elasticfilesystem' };

function iamPrefix(sdkService: string): string {
  return IAM_PREFIXES[sdkService.toLowerCase()] ?? sdkService.toLowerCase();
}

function pascal(action: string): string {
  return action.charAt(0).toUpperCase() + action.slice(1);
}

function stateLabel(path: ReadonlyArray<string | number>): string {
  const names: string[] = [];
  for (let index = 0; index < path.length - 1; index++) if (path[index] === 'States') names.push(String(path[index + 1]));
  return names.join('.');
}

/** Statements grouped by the set of actions, resources sorted and deduplicated: the same definition gives the same text. */
function toDocument(grants: PolicyGrant[]): PolicyDocument {
  const byActions = new Map<string, { actions: string[]; resources: Set<string> }>();
  for (const entry of grants) {
    const actions = [...new Set(entry.actions)].sort();
    const key = actions.join(',');
    const group = byActions.get(key) ?? { actions, resources: new Set<string>() };
    for (const resource of entry.resources) group.resources.add(resource);
    byActions.set(key, group);
  }
  const sids = new Map<string, number>();
  const statements = [...byActions.values()].map((group) => {
    const base = sidFor(group.actions);
    const count = (sids.get(base) ?? 0) + 1;
    sids.set(base, count);
    const resources = group.resources.has('*') ? ['*'] : [...group.resources].sort();
    return { Sid: count === 1 ? base : `${base}${count}`, Effect: 'Allow' as const, Action: group.actions, Resource: resources };
  });
  statements.sort((a, b) => (a.Sid < b.Sid ? -1 : a.Sid > b.Sid ? 1 : 0));
  return { Version: '2012-10-17', Statement: statements };
}

/** `['lambda:InvokeFunction']` → `LambdaInvokeFunction`; IAM Sids are alphanumeric. */
function sidFor(actions: string[]): string {
  const [first] = actions;
  const [service, action] = first.split(':');
  const name = actions.length === 1 ? `${pascal(service)}${action}` : `${pascal(service)}${actions.length > 4 ? 'Access' : actions.map((item) => item.split(':')[1]).join('')}`;
  return name.replace(/[^A-Za-z0-9]/g, '').slice(0, 100);
}
