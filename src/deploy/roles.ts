/**
 * The IAM roles deliv creates: one per state machine (trusted by
 * states.amazonaws.com for this account only, with the generated
 * least-privilege policy inline) and one for the project's functions
 * (trusted by lambda.amazonaws.com, allowed to write their logs).
 *
 * A role is read first (GetRole, GetRolePolicy) so that a deploy that changes
 * nothing writes nothing; a role of the same name that deliv did not create is
 * never taken over.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { DelivError } from '../ui/errors.js';
import { canonicalJson } from './diff.js';
import type { PolicyDocument } from './policy.js';
import { PROJECT_TAG } from '../project/names.js';

export type RoleChange = 'create' | 'update' | 'unchanged';

export interface RoleSpec {
  name: string;
  /** `states.amazonaws.com` or `lambda.amazonaws.com`. */
  service: string;
  /** Who the role is for, in the plan: `state machine order-fulfillment`, `functions`. */
  purpose: string;
  trust: PolicyDocument | TrustDocument;
  policyName: string;
  policy: PolicyDocument | StatementsDocument;
  project: string;
}

export interface TrustDocument {
  Version: '2012-10-17';
  Statement: Array<{ Effect: 'Allow'; Principal: { Service: string }; Action: 'sts:AssumeRole'; Condition?: Record<string, Record<string, string>> }>;
}

/** A policy whose statements come from deliv.yaml as written (`Action` may be one string). */
export interface StatementsDocument {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

export interface RolePlan {
  spec: RoleSpec;
  change: RoleChange;
  /** Known once the role exists (or, on a dry run, as it will be). */
  arn: string;
  /** The write calls applying the plan makes, in order. */
  calls: string[];
}

/** Step Functions may assume the role only on behalf of this account (the confused-deputy guard AWS documents). */
export function stateMachineTrust(account: string): TrustDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': account } } }],
  };
}

export function lambdaTrust(): TrustDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
}

/** What AWSLambdaBasicExecutionRole grants, scoped to the functions' own log groups (and their streams). */
export function functionLogsPolicy(logGroupArns: string[], extra: Array<Record<string, unknown>> = []): StatementsDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroupArns },
      ...extra,
    ],
  };
}

interface CurrentRole {
  arn: string;
  trust?: unknown;
  policy?: unknown;
  tags: Record<string, string>;
}

async function readRole(iam: IAMClient, spec: RoleSpec): Promise<CurrentRole | undefined> {
  const { GetRoleCommand, GetRolePolicyCommand } = await import('@aws-sdk/client-iam');
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: spec.name }))).Role;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
  if (!role?.Arn) return undefined;
  let policy: unknown;
  try {
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: spec.name, PolicyName: spec.policyName }));
    policy = decodeDocument(inline.PolicyDocument);
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
  }
  return {
    arn: role.Arn,
    trust: decodeDocument(role.AssumeRolePolicyDocument),
    policy,
    tags: Object.fromEntries((role.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  };
}

/** IAM returns policy documents URL-encoded (RFC 3986). */
function decodeDocument(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(decodeURIComponent(text));
  } catch {
    return text;
  }
}

function isNoSuchEntity(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

/** Reads the role and decides the calls; on a new role, its ARN is built from the account. */
export async function planRole(iam: IAMClient, spec: RoleSpec, partitionAccount: { partition: string; account: string }): Promise<RolePlan> {
  const current = await readRole(iam, spec);
  if (!current) {
    return { spec, change: 'create', arn: `arn:${partitionAccount.partition}:iam::${partitionAccount.account}:role/${spec.name}`, calls: ['iam:CreateRole', 'iam:PutRolePolicy'] };
  }
  if (current.tags[PROJECT_TAG] !== spec.project) {
    throw new DelivError(`IAM role ${spec.name} exists and deliv did not create it for project ${spec.project}`, {
      hint: `deliv never takes over a role: name it in deliv.yaml (targets.<target>.${spec.service.startsWith('lambda') ? 'functionRoleArn' : 'roleArn'}) to use it as it is, or delete or rename it`,
    });
  }
  const calls: string[] = [];
  if (canonicalJson(current.trust) !== canonicalJson(spec.trust)) calls.push('iam:UpdateAssumeRolePolicy');
  if (canonicalJson(current.policy) !== canonicalJson(spec.policy)) calls.push('iam:PutRolePolicy');
  return { spec, change: calls.length > 0 ? 'update' : 'unchanged', arn: current.arn, calls };
}

export async function applyRole(iam: IAMClient, plan: RolePlan): Promise<string> {
  const { CreateRoleCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } = await import('@aws-sdk/client-iam');
  const { spec } = plan;
  for (const call of plan.calls) {
    if (call === 'iam:CreateRole') {
      const created = await iam.send(new CreateRoleCommand({
        RoleName: spec.name,
        AssumeRolePolicyDocument: JSON.stringify(spec.trust),
        Description: `deliv: ${spec.purpose} of project ${spec.project}`,
        Tags: [{ Key: PROJECT_TAG, Value: spec.project }],
      }));
      plan.arn = created.Role?.Arn ?? plan.arn;
    } else if (call === 'iam:UpdateAssumeRolePolicy') {
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: spec.name, PolicyDocument: JSON.stringify(spec.trust) }));
    } else if (call === 'iam:PutRolePolicy') {
      await iam.send(new PutRolePolicyCommand({ RoleName: spec.name, PolicyName: spec.policyName, PolicyDocument: JSON.stringify(spec.policy) }));
    }
  }
  return plan.arn;
}

/** Removes a role deliv created: inline policies first, as IAM requires. */
export async function deleteRole(iam: IAMClient, name: string, project: string): Promise<boolean> {
  const { DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, ListRolePoliciesCommand } = await import('@aws-sdk/client-iam');
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (error) {
    if (isNoSuchEntity(error)) return false;
    throw error;
  }
  if (!(role?.Tags ?? []).some((tag) => tag.Key === PROJECT_TAG && tag.Value === project)) return false;
  const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: name }));
  for (const policyName of inline.PolicyNames ?? []) await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
  await iam.send(new DeleteRoleCommand({ RoleName: name }));
  return true;
}

/**
 * IAM is eventually consistent: for some seconds after CreateRole (or
 * PutRolePolicy), Lambda and Step Functions may refuse the role with these
 * documented messages. They are retried with backoff; any other error is not.
 * Each says, once the retries are spent, what else the refusal can mean.
 */
const FRESH_ROLE_MESSAGES: Array<{ pattern: RegExp; check: string }> = [
  { pattern: /cannot be assumed by Lambda/i, check: 'that its trust policy lets lambda.amazonaws.com call sts:AssumeRole' },
  { pattern: /authorized to assume the provided role/i, check: 'that its trust policy lets states.amazonaws.com call sts:AssumeRole (with aws:SourceAccount set to this account, if any)' },
  { pattern: /not authorized to access the Log Destination/i, check: 'that its policy allows the CloudWatch Logs delivery actions (logs:CreateLogDelivery, logs:PutResourcePolicy, logs:DescribeLogGroups, … on "*"; `deliv policy MACHINE` prints them)' },
  { pattern: /is not authorized to create managed-rule/i, check: 'that its policy allows events:PutTargets, events:PutRule and events:DescribeRule on the StepFunctions managed rule (`deliv policy MACHINE` prints it)' },
];

function freshRoleRefusal(error: unknown): { message: string; check: string } | undefined {
  for (let current = error as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; current && depth < 3; current = current.cause as typeof current, depth++) {
    const name = current.name ?? '';
    if (!(name.startsWith('InvalidParameterValue') || name.startsWith('AccessDenied') || name === 'AwsError')) continue;
    const known = FRESH_ROLE_MESSAGES.find(({ pattern }) => pattern.test(current!.message ?? ''));
    if (known) return { message: current.message ?? '', check: known.check };
  }
  return undefined;
}

export function isFreshRoleError(error: unknown): boolean {
  return freshRoleRefusal(error) !== undefined;
}

/** Delays between attempts: IAM usually settles within seconds, sometimes after ten or more. */
export const FRESH_ROLE_DELAYS_MS = [1000, 2000, 4000, 8000, 10_000, 10_000];

/**
 * Runs `call`, retrying while the role is refused as a fresh one. When the
 * refusal outlasts every retry, the error says so: how long deliv waited, that
 * a re-run usually gets through (the role is there by then), and what to check
 * on the role if it does not.
 */
export async function retryOnFreshRole<T>(
  call: () => Promise<T>,
  options: { delaysMs?: number[]; onRetry?: (attempt: number, delayMs: number) => void; role?: string; service?: string } = {},
): Promise<T> {
  const delays = options.delaysMs ?? FRESH_ROLE_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const refusal = freshRoleRefusal(error);
      if (!refusal) throw error;
      if (attempt >= delays.length) {
        const waited = delays.reduce((sum, delay) => sum + delay, 0);
        const role = options.role ? `role ${options.role}` : 'the role';
        throw new DelivError(`${options.service ?? 'AWS'} still refuses ${role} after ${delays.length + 1} attempts over ${formatWait(waited)}: ${refusal.message}`, {
          hint: `a role created or changed moments ago can take a minute or more to reach every AWS service (IAM is eventually consistent): deploy again in a minute, it goes on from here. If it keeps failing, check on ${role} ${refusal.check}`,
          cause: error,
        });
      }
      options.onRetry?.(attempt + 1, delays[attempt]);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}

const formatWait = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);
