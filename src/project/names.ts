/**
 * What a project's resources are called on an AWS target. The templates name
 * a function's ARN `${ChargePaymentFunctionArn}` for the `charge-payment`
 * function, so deliv can fill it from what it deploys and a fresh project
 * needs no hand-written ARN.
 */
import type { Project } from './config.js';

/** The tag every resource deliv creates carries: `deliv destroy` removes only what has it. */
export const PROJECT_TAG = 'deliv:project';

/** `charge-payment` → `ChargePaymentFunctionArn`. */
export function functionPlaceholder(functionKey: string): string {
  return `${functionKey.split(/[^A-Za-z0-9]+/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('')}FunctionArn`;
}

/** Lambda names are per account and Region, so the project name keeps two projects apart (64 characters at most). */
export function functionName(project: Project, functionKey: string): string {
  return project.config.functions?.[functionKey]?.name ?? `${project.config.name}-${functionKey}`.slice(0, 64);
}

/** The state machine's role (IAM role names: 64 characters). */
export function machineRoleName(project: Project, machine: string): string {
  return `${project.config.name}-${machine}-sfn`.slice(0, 64);
}

/** One execution role for the project's functions. */
export function functionRoleName(project: Project): string {
  return `${project.config.name}-lambda`.slice(0, 64);
}

/** Each function's ARN on a target, in the target's partition, Region and account (each may be a `${AWS::…}` pseudo-parameter). */
export function functionArnSubstitutions(project: Project, scope: { partition: string; region: string; account: string }): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of Object.keys(project.config.functions ?? {})) {
    values[functionPlaceholder(key)] = `arn:${scope.partition}:lambda:${scope.region}:${scope.account}:function:${functionName(project, key)}`;
  }
  return values;
}
