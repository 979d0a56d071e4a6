/**
 * A project machine as deploy sees it on an AWS target: rendered with the
 * substitutions deploy knows (the functions' ARNs as deployed, the partition,
 * Region and account), under the target's own; and its policy.
 */
import { machineLogging } from './logging.js';
import { partitionOf } from '../aws/errors.js';
import { PSEUDO_SCOPE, type ArnScope } from '../aws/arn.js';
import type { ResolvedTarget } from '../aws/target.js';
import type { Project } from '../project/config.js';
import { renderStateMachine, type LoadedDefinition } from '../project/definition.js';
import { functionArnSubstitutions, functionPlaceholder } from '../project/names.js';
import { machinePolicy, type MachinePolicy } from './policy.js';

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
