import { paint } from '../ui/colors.js';
import { describeRouting, versionLabel, type MachinePlan } from './deploy.js';
import type { MessagingPlan } from './messaging.js';
import type { ProjectDeployResult } from './project.js';

/** What `deliv deploy` prints: per machine what happened, its ARNs and, on a dry run, the diff. */
export function renderDeployPlans(plans: MachinePlan[], context: { dryRun: boolean; target: string; versionDescription?: string }): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    const untouched = plan.change === 'unchanged' && plan.aliasChange === 'unchanged';
    if (context.dryRun) {
      const verdict = untouched ? paint.muted('no changes') : plan.change === 'created' ? paint.success('would be created') : paint.warning(plan.change === 'updated' ? 'would be updated' : 'alias would move');
      lines.push(`${paint.strong(plan.name)} (${plan.type}) on ${context.target}: ${verdict}`);
      for (const change of plan.settings) lines.push(`  ${change.setting}: ${paint.failure(change.before)} → ${paint.success(change.after)}`);
      if (plan.definitionDiff.length > 0) lines.push(...plan.definitionDiff.map((line) => `  ${line}`));
      for (const note of plan.notes) lines.push(paint.muted(`  note: ${note}`));
      lines.push('');
      continue;
    }
    if (untouched) {
      lines.push(`${paint.strong(plan.name)} ${paint.muted('unchanged')} on ${context.target} (${plan.versionArn ? versionLabel(plan.versionArn) : 'no version'}, alias ${aliasName(plan)} ${describeRouting(plan.routing)})`);
    } else {
      const verdict = plan.change === 'created' ? paint.success('created') : plan.change === 'updated' ? paint.success('updated') : paint.accent('alias moved');
      lines.push(`${paint.strong(plan.name)} ${verdict} on ${context.target} (${plan.type})`);
    }
    lines.push(`  state machine  ${plan.stateMachineArn}`);
    if (plan.versionArn) lines.push(`  version        ${plan.versionArn}${context.versionDescription && plan.change !== 'unchanged' ? paint.muted(`  (${context.versionDescription})`) : ''}`);
    lines.push(`  alias          ${plan.aliasArn}  ${describeRouting(plan.routing)}`);
    if (plan.consoleUrl) lines.push(`  console        ${plan.consoleUrl}`);
    for (const note of plan.notes) lines.push(paint.muted(`  note: ${note}`));
  }
  return lines;
}

function aliasName(plan: MachinePlan): string {
  return plan.aliasArn.split(':').at(-1) ?? '';
}

/** What `deliv deploy --target <aws>` prints: the roles and functions, then each machine as above. */
export function renderProjectDeploy(result: ProjectDeployResult, context: { versionDescription?: string }): string[] {
  const lines: string[] = [];
  const verb = (change: string) => {
    if (change === 'unchanged') return paint.muted(result.dryRun ? 'no changes' : 'unchanged');
    const word = change === 'create' ? 'created' : 'updated';
    return result.dryRun ? paint.warning(`would be ${word}`) : paint.success(word);
  };
  for (const role of result.roles) {
    lines.push(`${paint.strong(`role ${role.name}`)} (${role.purpose}): ${verb(role.change)}${result.dryRun && role.calls.length > 0 ? paint.muted(`  ${role.calls.join(', ')}`) : ''}`);
    if (!result.dryRun || role.change !== 'unchanged') lines.push(`  ${role.arn}`);
    // The plan shows what the role may do: one line per statement.
    if (result.dryRun && role.change !== 'unchanged') {
      for (const statement of (role.policy as { Statement?: Array<{ Action: string | string[]; Resource: string | string[] }> }).Statement ?? []) {
        lines.push(paint.muted(`    allow ${([] as string[]).concat(statement.Action).join(', ')} on ${([] as string[]).concat(statement.Resource).join(', ')}`));
      }
    }
  }
  for (const fn of result.functions) {
    const version = fn.version ? ` version ${fn.version}` : '';
    lines.push(`${paint.strong(`function ${fn.name}`)}: ${verb(fn.change)}${fn.changes.length > 0 ? ` (${fn.changes.join(', ')})` : ''}${version}`);
    if (!result.dryRun) lines.push(`  ${fn.arn}`);
  }
  for (const resource of result.messaging) lines.push(...renderMessaging(resource, result.dryRun));
  if (lines.length > 0) lines.push('');
  lines.push(...renderDeployPlans(result.stateMachines, { dryRun: result.dryRun, target: result.target, versionDescription: context.versionDescription }));
  return lines;
}

/** A topic or queue of the plan: what deploy did (or would do) with it, and which states use it. */
function renderMessaging(resource: MessagingPlan, dryRun: boolean): string[] {
  const title = paint.strong(`${resource.kind} ${resource.name}`);
  const usedBy = paint.muted(`  used by ${resource.usedBy.join(', ')}`);
  switch (resource.change) {
    case 'create':
      return dryRun
        ? [`${title}: ${paint.warning('would be created')}${paint.muted(`  ${resource.calls.join(', ')}`)}`, usedBy]
        : [`${title}: ${paint.success('created')}`, `  ${resource.url ?? resource.arn}`];
    case 'exists':
      return [`${title}: ${paint.muted('exists')}`];
    case 'elsewhere':
      return [`${title}: ${paint.muted(`not created (${resource.reason})`)}`, usedBy];
    case 'unchecked':
      return [`${title}: ${paint.muted('not checked; `deliv deploy --create-missing` creates it if it does not exist')}`, usedBy];
  }
}
