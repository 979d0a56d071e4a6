/**
 * A project machine as deploy sees it on an AWS target: rendered with the
 * substitutions deploy knows (the functions' ARNs as deployed, the partition,
 * Region and account), under the target's own; and its policy.
 */
import { machineLogging } from './logging.js';
import { partitionOf } from '../aws/errors.js';
import { PSEUDO_SCOPE, type ArnScope } from '../aws/arn.js';
import type { AwsDeployClients } from '../aws/clients.js';
import type { ResolvedTarget } from '../aws/target.js';
import { DelivError, UsageError } from '../ui/errors.js';
import type { Project } from '../project/config.js';
import { renderStateMachine, type LoadedDefinition } from '../project/definition.js';
import { functionArnSubstitutions, functionPlaceholder } from '../project/names.js';
import { machinePolicy, type MachinePolicy } from './policy.js';
import { referencedMessaging, type MessagingPlan } from './messaging.js';

/** The partition, Region and account of a target; what is not known yet stays a CloudFormation pseudo-parameter. */
export function targetScope(target: Pick<ResolvedTarget, 'region' | 'accountId'>, accountId = target.accountId): ArnScope {
  const region = target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return {
    partition: region ? partitionOf(region) : PSEUDO_SCOPE.partition,
    region: region ?? PSEUDO_SCOPE.region,
    account: accountId ?? PSEUDO_SCOPE.account,
  };
}

/**
 * Substitutions deliv knows for a target: each function's ARN (as deployed,
 * or as it will be named) and the pseudo-parameters of the scope.
 */
export function automaticSubstitutions(project: Project, scope: ArnScope, deployed: Record<string, string> = {}): Record<string, string> {
  const values = functionArnSubstitutions(project, scope);
  for (const [key, arn] of Object.entries(deployed)) values[functionPlaceholder(key)] = arn;
  if (!scope.partition.startsWith('${')) values['AWS::Partition'] = scope.partition;
  if (!scope.region.startsWith('${')) values['AWS::Region'] = scope.region;
  if (!scope.account.startsWith('${')) values['AWS::AccountId'] = scope.account;
  return values;
}

/** A machine rendered for an AWS target, with deliv's automatic substitutions under the target's own. */
export function renderForTarget(project: Project, machine: string, target: ResolvedTarget, scope: ArnScope, deployed: Record<string, string> = {}): LoadedDefinition {
  return renderStateMachine(project, machine, target.name, target.local ? {} : automaticSubstitutions(project, scope, deployed));
}

/** The SNS topics and SQS queues the machines use on a target, read as deploy renders them (deploy, destroy). */
export function projectMessaging(project: Project, target: ResolvedTarget, machines: string[], scope: ArnScope, deployed: Record<string, string> = {}): MessagingPlan[] {
  return referencedMessaging(machines.map((machine) => ({ machine, definition: renderForTarget(project, machine, target, scope, deployed).definition })), scope);
}

export function loggingEnabled(project: Project, machine: string, target: ResolvedTarget): boolean {
  return machineLogging(project, target, machine) !== undefined;
}

/** `deliv policy MACHINE`: the policy of one machine of the project on a target. */
export function projectMachinePolicy(project: Project, machine: string, target: ResolvedTarget, scope: ArnScope = targetScope(target)): MachinePolicy & { machine: string; target: string } {
  const { definition } = renderForTarget(project, machine, target, scope);
  const policy = machinePolicy(definition, {
    ...scope,
    machineName: machine,
    logging: loggingEnabled(project, machine, target),
    tracing: project.config.stateMachines[machine]?.tracing === true,
  });
  const unknown = [scope.region, scope.account].filter((value) => value.startsWith('${'));
  if (unknown.length > 0) {
    policy.warnings.push(`target \`${target.name}\` names no ${scope.region.startsWith('${') ? 'region' : 'account ID'}: ARNs keep ${unknown.join(' and ')} (set ${scope.region.startsWith('${') ? 'region' : 'accountId'}: under targets.${target.name} in deliv.yaml)`);
  }
  return { machine, target: target.name, ...policy };
}

/** The account from the target, else from the credentials (STS GetCallerIdentity). */
export async function resolveScope(target: ResolvedTarget, clients: Pick<AwsDeployClients, 'sts'>): Promise<ArnScope> {
  const region = target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UsageError(`no AWS region for target \`${target.name}\``, { hint: `set \`region:\` under targets.${target.name} in deliv.yaml, pass --region, or export AWS_REGION`, code: 'AWS_REGION' });
  }
  let account = target.accountId;
  if (!account) {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    account = (await (await clients.sts()).send(new GetCallerIdentityCommand({}))).Account;
    if (!account) throw new DelivError('STS did not say which account the credentials belong to', { hint: `set accountId: under targets.${target.name} in deliv.yaml` });
  }
  return { partition: partitionOf(region), region, account };
}
