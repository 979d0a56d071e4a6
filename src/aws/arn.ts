/**
 * ARNs read by their fields, as AWS defines them:
 * `arn:partition:service:region:account-id:resource`, where the resource part
 * may itself hold colons (`function:name:alias`) or slashes (`table/Orders`).
 *
 * Fields are split on the colons that are not inside a `${...}` reference,
 * because templates write ARNs as `arn:${AWS::Partition}:lambda:${AWS::Region}:…`
 * and a CloudFormation pseudo-parameter has colons of its own.
 */
import { partitionOf } from './errors.js';

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account field, colons included. */
  resource: string;
}

/** Where an ARN is built: real values, or CloudFormation pseudo-parameters for a template. */
export interface ArnScope {
  partition: string;
  region: string;
  account: string;
}

export const PSEUDO_SCOPE: ArnScope = { partition: '${AWS::Partition}', region: '${AWS::Region}', account: '${AWS::AccountId}' };

/** Splits on `:` outside `${...}`: `arn:${AWS::Partition}:sns` → `['arn', '${AWS::Partition}', 'sns']`. */
export function splitFields(text: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '$' && text[index + 1] === '{') {
      depth++;
      current += '${';
      index++;
      continue;
    }
    if (char === '}' && depth > 0) depth--;
    if (char === ':' && depth === 0) {
      fields.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  fields.push(current);
  return fields;
}

/** The ARN's fields, or undefined when `text` is not an ARN. */
export function parseArn(text: string): Arn | undefined {
  const fields = splitFields(text);
  if (fields.length < 6 || fields[0] !== 'arn' || fields[1] === '' || fields[2] === '') return undefined;
  const [, partition, service, region, account, ...rest] = fields;
  return { partition, service, region, account, resource: rest.join(':') };
}

export function formatArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

export function buildArn(scope: ArnScope, service: string, resource: string, options: { region?: string; account?: string } = {}): string {
  return formatArn({ partition: scope.partition, service, region: options.region ?? scope.region, account: options.account ?? scope.account, resource });
}

/** A whole-string `${Name}` reference (not a pseudo-parameter), or undefined. */
export function placeholderName(text: string): string | undefined {
  const match = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(text);
  return match ? match[1] : undefined;
}

/** Fills `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` (and `${AWS::URLSuffix}`) from a scope. */
export function fillPseudoParameters(text: string, scope: ArnScope): string {
  return text
    .replaceAll('${AWS::Partition}', scope.partition)
    .replaceAll('${AWS::Region}', scope.region)
    .replaceAll('${AWS::AccountId}', scope.account)
    .replaceAll('${AWS::URLSuffix}', scope.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');
}

/**
 * The ARN of an SQS queue from its URL: `https://sqs.us-east-1.amazonaws.com/123456789012/orders`
 * (and the legacy `https://us-east-1.queue.amazonaws.com/…` and `https://queue.amazonaws.com/…`
 * forms, the latter being us-east-1).
 */
export function queueArnFromUrl(url: string, scope: ArnScope): string | undefined {
  const match = /^https?:\/\/([^/]+)\/([^/]+)\/([^/?#]+)\/?$/.exec(url);
  if (!match) return undefined;
  const [, host, account, name] = match;
  const labels = host.split('.');
  let region: string;
  if (labels[0] === 'sqs' && labels.length > 2) region = labels[1];
  else if (labels[0] === 'queue') region = 'us-east-1';
  else if (labels[1] === 'queue') region = labels[0];
  else if (host.startsWith('${') || host.startsWith('localhost') || /^\d/.test(host)) region = scope.region;
  else return undefined;
  return formatArn({ partition: region === scope.region ? scope.partition : partitionOf(region), service: 'sqs', region, account, resource: name });
}

/** Whether an execution ARN is an Express execution's (`…:express:<machine>:<name>:<id>`). */
export const isExpressExecutionArn = (arn: string): boolean => /^arn:aws[a-z-]*:states:[^:]*:[^:]*:express:/.test(arn);

/**
 * The machine and execution names in an execution ARN: a Standard one's
 * `…:execution:<machine>:<name>`, an Express one's `…:express:<machine>:<name>:<id>`
 * (the id keeps each run's ARN unique, as names may repeat), a Map Run child's
 * `…:execution:<machine>/<label>:<name>`. Undefined for anything else.
 */
export function executionNames(executionArn: string): { machine: string; name: string; express: boolean } | undefined {
  const arn = parseArn(executionArn);
  if (!arn || arn.service !== 'states') return undefined;
  const [kind, machine, name] = splitFields(arn.resource);
  if ((kind !== 'execution' && kind !== 'express') || !machine || !name) return undefined;
  return { machine: machine.split('/')[0], name, express: kind === 'express' };
}

/** The state machine an execution ran: `…:express:<machine>:<name>:<id>` → `…:stateMachine:<machine>`. */
export function machineArnOfExecution(executionArn: string): string {
  const arn = parseArn(executionArn);
  const names = executionNames(executionArn);
  if (!arn || !names) throw new Error(`not an execution ARN: ${executionArn}`);
  return formatArn({ ...arn, resource: `stateMachine:${names.machine}` });
}
