/**
 * A project function on Lambda: created, or updated in place (code, then
 * configuration), each write waiting until Lambda has finished the previous
 * one (`State` Pending → Active, `LastUpdateStatus` InProgress → Successful),
 * then a version published. The same bundle (CodeSha256) and settings make no
 * write call at all.
 */
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { DelivError } from '../ui/errors.js';
import { canonicalJson } from './diff.js';
import { LAMBDA_HANDLER, type FunctionPackage, type NodeRuntime } from './bundle.js';
import { PROJECT_TAG } from '../project/names.js';
import { retryOnFreshRole } from './roles.js';

export interface FunctionSpec {
  /** deliv.yaml key. */
  key: string;
  /** Lambda function name. */
  name: string;
  project: string;
  runtime: NodeRuntime;
  memoryMB: number;
  timeoutSeconds: number;
  architecture: 'x86_64' | 'arm64';
  environment: Record<string, string>;
  roleArn: string;
  package: FunctionPackage;
  /** The alias the state machines call (the deploy's alias, `live` by default), moved to each published version. */
  alias: string;
}

export type FunctionChange = 'create' | 'update' | 'unchanged';

export interface FunctionPlan {
  spec: FunctionSpec;
  change: FunctionChange;
  /** The unqualified ARN (built from the account before the function exists). */
  arn: string;
  /** The write calls, in order. */
  calls: string[];
  /** Settings that differ from the deployed function: `memory 128 → 256`. */
  changes: string[];
  /** The version published by this deploy (or, unchanged, the latest one). */
  version?: string;
  /** `<arn>:<alias>`: what the state machines call, so a new version reaches them only when the alias moves. */
  aliasArn: string;
  /** The version the alias points at before this deploy (none: it does not exist yet). */
  aliasVersion?: string;
}

/** Lambda's defaults, so that a deliv.yaml without memory or timeout still compares equal to what AWS holds. */
export const DEFAULT_MEMORY_MB = 128;
export const DEFAULT_TIMEOUT_SECONDS = 3;

interface Deployed {
  configuration: FunctionConfiguration;
  tags: Record<string, string>;
}

async function readFunction(lambda: LambdaClient, name: string): Promise<Deployed | undefined> {
  const { GetFunctionCommand } = await import('@aws-sdk/client-lambda');
  try {
    const found = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    return found.Configuration ? { configuration: found.Configuration, tags: found.Tags ?? {} } : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function planFunction(lambda: LambdaClient, spec: FunctionSpec, arnPrefix: string): Promise<FunctionPlan> {
  const deployed = await readFunction(lambda, spec.name);
  if (!deployed) {
    const arn = `${arnPrefix}${spec.name}`;
    return { spec, change: 'create', arn, aliasArn: `${arn}:${spec.alias}`, calls: ['lambda:CreateFunction', 'lambda:CreateAlias'], changes: [] };
  }
  if (deployed.tags[PROJECT_TAG] !== spec.project) {
    throw new DelivError(`Lambda function ${spec.name} exists and deliv did not create it for project ${spec.project}`, {
      hint: `deliv never takes over a function: set functions.${spec.key}.name in deliv.yaml to another name, or delete the function`,
    });
  }
  const current = deployed.configuration;
  const changes: string[] = [];
  const codeChanged = current.CodeSha256 !== spec.package.sha256;
  const architecture = current.Architectures?.[0] ?? 'x86_64';
  if (codeChanged) changes.push('code');
  if (architecture !== spec.architecture) changes.push(`architecture ${architecture} → ${spec.architecture}`);
  const settings = configurationChanges(current, spec);
  changes.push(...settings);
  const calls: string[] = [];
  if (codeChanged || architecture !== spec.architecture) calls.push('lambda:UpdateFunctionCode');
  if (settings.length > 0) calls.push('lambda:UpdateFunctionConfiguration');
  if (calls.length > 0) calls.push('lambda:PublishVersion');
  // The alias follows the newest version: created when missing, moved when a version is published or it lags behind.
  const alias = await readAlias(lambda, spec.name, spec.alias);
  const latest = calls.length > 0 ? undefined : await latestVersion(lambda, spec.name);
  if (!alias) {
    if (calls.length === 0 && latest === undefined) calls.push('lambda:PublishVersion');
    calls.push('lambda:CreateAlias');
  } else if (calls.length > 0 || alias !== latest) {
    if (latest === undefined && calls.length === 0) calls.push('lambda:PublishVersion');
    calls.push('lambda:UpdateAlias');
  }
  const arn = current.FunctionArn ?? `${arnPrefix}${spec.name}`;
  return { spec, change: calls.length > 0 ? 'update' : 'unchanged', arn, aliasArn: `${arn}:${spec.alias}`, aliasVersion: alias, calls, changes, version: calls.includes('lambda:PublishVersion') ? undefined : latest };
}

/** The version an alias points at, or undefined when the function has no such alias. */
async function readAlias(lambda: LambdaClient, name: string, alias: string): Promise<string | undefined> {
  const { GetAliasCommand } = await import('@aws-sdk/client-lambda');
  try {
    return (await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }))).FunctionVersion;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** The highest published version (numbers, not `$LATEST`), paged. */
async function latestVersion(lambda: LambdaClient, name: string): Promise<string | undefined> {
  const { ListVersionsByFunctionCommand } = await import('@aws-sdk/client-lambda');
  let highest: number | undefined;
  let Marker: string | undefined;
  do {
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, Marker }));
    for (const version of page.Versions ?? []) {
      const number = Number(version.Version);
      if (Number.isInteger(number) && (highest === undefined || number > highest)) highest = number;
    }
    Marker = page.NextMarker;
  } while (Marker);
  return highest === undefined ? undefined : String(highest);
}

function configurationChanges(current: FunctionConfiguration, spec: FunctionSpec): string[] {
  const changes: string[] = [];
  const compare = (label: string, before: unknown, after: unknown) => {
    if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) changes.push(`${label} ${show(before)} → ${show(after)}`);
  };
  compare('memory', current.MemorySize, spec.memoryMB);
  compare('timeout', current.Timeout, spec.timeoutSeconds);
  compare('runtime', current.Runtime, spec.runtime);
  compare('handler', current.Handler, LAMBDA_HANDLER);
  compare('role', current.Role, spec.roleArn);
  compare('environment', current.Environment?.Variables ?? {}, spec.environment);
  return changes;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface ApplyOptions {
  /** Milliseconds between two reads of a function Lambda is still working on. */
  pollMs?: number;
  /** Milliseconds before giving up on a function that stays Pending or InProgress. */
  waitLimitMs?: number;
  freshRoleDelaysMs?: number[];
}

export async function applyFunction(lambda: LambdaClient, plan: FunctionPlan, options: ApplyOptions = {}): Promise<FunctionPlan> {
  const sdk = await import('@aws-sdk/client-lambda');
  const { spec } = plan;
  const configuration = {
    Runtime: spec.runtime,
    Role: spec.roleArn,
    Handler: LAMBDA_HANDLER,
    MemorySize: spec.memoryMB,
    Timeout: spec.timeoutSeconds,
    Environment: { Variables: spec.environment },
  } as const;
  if (plan.change === 'create') {
    // A role created a moment ago may not be assumable by Lambda yet: CreateFunction is retried until it is.
    const created = await retryOnFreshRole(
      () => lambda.send(new sdk.CreateFunctionCommand({
        FunctionName: spec.name,
        ...configuration,
        Code: { ZipFile: spec.package.zip },
        Architectures: [spec.architecture],
        PackageType: 'Zip',
        Publish: true,
        Description: `deliv: ${spec.key} of project ${spec.project}`,
        Tags: { [PROJECT_TAG]: spec.project },
      })),
      { delaysMs: options.freshRoleDelaysMs, role: spec.roleArn, service: 'Lambda' },
    );
    plan.arn = created.FunctionArn ?? plan.arn;
    plan.aliasArn = `${plan.arn}:${spec.alias}`;
    plan.version = created.Version;
    await settle(lambda, spec.name, created, options);
    await pointAlias(lambda, plan, sdk);
    return plan;
  }
  for (const call of plan.calls) {
    if (call === 'lambda:UpdateFunctionCode') {
      const updated = await lambda.send(new sdk.UpdateFunctionCodeCommand({ FunctionName: spec.name, ZipFile: spec.package.zip, Architectures: [spec.architecture] }));
      await settle(lambda, spec.name, updated, options);
    } else if (call === 'lambda:UpdateFunctionConfiguration') {
      const updated = await retryOnFreshRole(() => lambda.send(new sdk.UpdateFunctionConfigurationCommand({ FunctionName: spec.name, ...configuration })), { delaysMs: options.freshRoleDelaysMs, role: spec.roleArn, service: 'Lambda' });
      await settle(lambda, spec.name, updated, options);
    } else if (call === 'lambda:PublishVersion') {
      // CodeSha256 makes Lambda refuse to publish code other than the code this deploy uploaded.
      const published = await lambda.send(new sdk.PublishVersionCommand({ FunctionName: spec.name, CodeSha256: spec.package.sha256 }));
      plan.version = published.Version;
    } else if (call === 'lambda:CreateAlias' || call === 'lambda:UpdateAlias') {
      await pointAlias(lambda, plan, sdk);
    }
  }
  return plan;
}

/** Creates the alias on the plan's version, or moves it there. */
async function pointAlias(lambda: LambdaClient, plan: FunctionPlan, sdk: typeof import('@aws-sdk/client-lambda')): Promise<void> {
  const { spec } = plan;
  if (!plan.version) throw new DelivError(`no version of ${spec.name} to point alias ${spec.alias} at`, { hint: 'deploy again: a version is published first' });
  const input = { FunctionName: spec.name, Name: spec.alias, FunctionVersion: plan.version };
  if (plan.aliasVersion === undefined && plan.calls.includes('lambda:CreateAlias')) {
    await lambda.send(new sdk.CreateAliasCommand({ ...input, Description: 'managed by deliv: what the state machines call' }));
  } else {
    await lambda.send(new sdk.UpdateAliasCommand(input));
  }
  plan.aliasVersion = plan.version;
}

/** Waits until Lambda is done with the last change: State Active and LastUpdateStatus not InProgress. */
async function settle(lambda: LambdaClient, name: string, last: FunctionConfiguration, options: ApplyOptions): Promise<void> {
  const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
  const pollMs = options.pollMs ?? 1000;
  const deadline = Date.now() + (options.waitLimitMs ?? 5 * 60_000);
  let current = last;
  for (;;) {
    if (current.State === 'Failed' || current.LastUpdateStatus === 'Failed') {
      const reason = current.LastUpdateStatus === 'Failed' ? current.LastUpdateStatusReason : current.StateReason;
      const code = current.LastUpdateStatus === 'Failed' ? current.LastUpdateStatusReasonCode : current.StateReasonCode;
      throw new DelivError(`Lambda could not apply the change to ${name}: ${reason ?? 'no reason given'}${code ? ` (${code})` : ''}`, { hint: 'fix the cause, then deploy again: what is already deployed stays' });
    }
    const busy = current.State === 'Pending' || current.LastUpdateStatus === 'InProgress';
    if (!busy) return;
    if (Date.now() > deadline) throw new DelivError(`Lambda is still working on ${name} after ${Math.round((options.waitLimitMs ?? 300_000) / 1000)} s`, { hint: 'deploy again later: it picks up from there' });
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  }
}

/** Deletes a function deliv created for the project (with its versions). */
export async function deleteFunction(lambda: LambdaClient, name: string, project: string): Promise<boolean> {
  const deployed = await readFunction(lambda, name);
  if (!deployed || deployed.tags[PROJECT_TAG] !== project) return false;
  const { DeleteFunctionCommand } = await import('@aws-sdk/client-lambda');
  await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  return true;
}
