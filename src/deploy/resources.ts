/**
 * What a project's resources are called on an AWS target, and the
 * substitutions that name them: `${ChargePaymentFunctionArn}` is the ARN of
 * the `charge-payment` function deliv deploys, so a fresh project needs no
 * hand-written ARN. The target's own substitutions still win.
 */
import { partitionOf } from '../aws/errors.js';
import { buildArn, PSEUDO_SCOPE, type ArnScope } from '../aws/arn.js';
import type { ResolvedTarget } from '../aws/target.js';
import type { Project } from '../project/config.js';
import { renderStateMachine, type LoadedDefinition } from '../project/definition.js';
import { machinePolicy, type MachinePolicy } from './policy.js';

/** The tag every resource deliv creates carries: `deliv destroy` removes only what has it. */
export const PROJECT_TAG = 'deliv:project';

/** `charge-payment` → `ChargePaymentFunctionArn`, the placeholder the templates use for it. */
export function functionPlaceholder(functionKey: string): string {
  return `${functionKey.split(/[^A-Za-z0-9]+/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('')}FunctionArn`;
}

/** Lambda names are per account and Region, so the project name keeps two projects apart (64 characters at most). */
export function functionName(project: Project, functionKey: string): string {
  return truncate(`${project.config.name}-${functionKey}`, 64);
}

/** The state machine's role (IAM role names: 64 characters). */
export function machineRoleName(project: Project, machine: string): string {
  return truncate(`${project.config.name}-${machine}-sfn`, 64);
}

/** One execution role for the project's functions: basic logging is all they get from deliv. */
export function functionRoleName(project: Project): string {
  return truncate(`${project.config.name}-lambda`, 64);
}

function truncate(name: string, max: number): string {
  return name.length <= max ? name : name.slice(0, max);
}

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
  const values: Record<string, string> = {};
  for (const key of Object.keys(project.config.functions ?? {})) {
    values[functionPlaceholder(key)] = deployed[key] ?? buildArn(scope, 'lambda', `function:${functionName(project, key)}`);
  }
  if (!scope.partition.startsWith('${')) values['AWS::Partition'] = scope.partition;
  if (!scope.region.startsWith('${')) values['AWS::Region'] = scope.region;
  if (!scope.account.startsWith('${')) values['AWS::AccountId'] = scope.account;
  return values;
}

/** A machine rendered for an AWS target, with deliv's automatic substitutions under the target's own. */
export function renderForTarget(project: Project, machine: string, target: ResolvedTarget, scope: ArnScope, deployed: Record<string, string> = {}): LoadedDefinition {
  return renderStateMachine(project, machine, target.name, target.local ? {} : automaticSubstitutions(project, scope, deployed));
}

export function loggingEnabled(project: Project, machine: string): boolean {
  const level = project.config.stateMachines[machine]?.logging?.level;
  return level !== undefined && level !== 'OFF';
}

/** `deliv policy MACHINE`: the policy of one machine of the project on a target. */
export function projectMachinePolicy(project: Project, machine: string, target: ResolvedTarget, scope: ArnScope = targetScope(target)): MachinePolicy & { machine: string; target: string } {
  const { definition } = renderForTarget(project, machine, target, scope);
  const policy = machinePolicy(definition, {
    ...scope,
    machineName: machine,
    logging: loggingEnabled(project, machine),
    tracing: project.config.stateMachines[machine]?.tracing === true,
  });
  const unknown = [scope.region, scope.account].filter((value) => value.startsWith('${'));
  if (unknown.length > 0) {
    policy.warnings.push(`target \`${target.name}\` names no ${scope.region.startsWith('${') ? 'region' : 'account ID'}: ARNs keep ${unknown.join(' and ')} (set ${scope.region.startsWith('${') ? 'region' : 'accountId'}: under targets.${target.name} in deliv.yaml)`);
  }
  return { machine, target: target.name, ...policy };
}
