/**
 * Deploying a project's state machines to a target: render and check each
 * definition, then create or update the machine under its deliv.yaml name,
 * publish a version and point an alias at it (all of it, or a canary share).
 * The same calls go to the emulator and to AWS.
 *
 * A deploy that would change nothing makes no write call at all.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DescribeStateMachineOutput, LoggingConfiguration, RoutingConfigurationListItem, SFNClient, TracingConfiguration } from '@aws-sdk/client-sfn';
import { partitionOf } from '../aws/errors.js';
import type { ResolvedTarget } from '../aws/target.js';
import { listStateMachines } from '../aws/sfn.js';
import type { Project, StateMachineConfig } from '../project/config.js';
import { renderStateMachine } from '../project/definition.js';
import { DelivError, UsageError } from '../ui/errors.js';
import { prettyDefinition, sameDefinition, settingChanges, unifiedDiff, type SettingChange } from './diff.js';
import { PROJECT_TAG } from '../project/names.js';
import { retryOnFreshRole } from './roles.js';
import { ensureLogGroups, explainLoggingRefusal, LOGGING_OFF, loggingConfiguration, loggingTurnedOff, machineLogging, untailableNote, type LogGroupResult, type MachineLogging } from './logging.js';

export interface DeployOptions {
  /** Machines to deploy (deliv.yaml keys); all when empty. */
  names: string[];
  dryRun: boolean;
  alias: string;
  /** Percentage of the alias's traffic for the new version; the rest stays on the previous one. */
  canary?: number;
  roleArn: string;
  /** Version description: the git commit, when there is one. */
  versionDescription?: string;
  /** Waits between attempts while IAM has not yet propagated a fresh role (tests shorten them). */
  freshRoleDelaysMs?: number[];
  /** CloudWatch Logs on the target, for the log groups machines log to (made only when one does). */
  logs?: () => Promise<CloudWatchLogsClient>;
  /** deliv.yaml, named in the note about Express machines that do not log. */
  projectFile?: string;
}

export type Change = 'created' | 'updated' | 'unchanged';

export interface MachinePlan {
  name: string;
  type: string;
  /** What happens (or would happen, on a dry run) to the machine itself. */
  change: Change;
  stateMachineArn: string;
  versionArn?: string;
  aliasArn: string;
  aliasChange: Change;
  routing: RoutingConfigurationListItem[];
  /** Dry run: the unified diff of the definition. */
  definitionDiff: string[];
  /** Dry run: type, role, logging and tracing changes; routing changes of the alias. */
  settings: SettingChange[];
  consoleUrl?: string;
  notes: string[];
  /** The definition deployed before this change (undefined: the machine is new). */
  previousDefinition?: string;
  /** The definition deployed now (or, on a dry run, that would be). */
  definition: string;
}

interface Desired {
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: string;
  roleArn: string;
  loggingConfiguration?: LoggingConfiguration;
  tracingConfiguration?: TracingConfiguration;
  /** Tags of a machine deliv creates (`deliv:project`), so `deliv destroy` knows it. */
  tags?: Record<string, string>;
  /** Where the machine logs its executions (its log group is made to exist before the machine). */
  logging?: MachineLogging;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** The role the machines run as: `--role-arn`, else the target's; AWS targets cannot do without. */
export function requireRoleArn(target: ResolvedTarget, flag: string | undefined, projectFile: string): string {
  const roleArn = flag ?? target.roleArn;
  if (!roleArn) {
    throw new UsageError(`target \`${target.name}\` has no role ARN for the state machines to run as`, {
      hint: `set \`roleArn:\` under targets.${target.name} in ${projectFile}, or pass --role-arn arn:aws:iam::<account>:role/<name>`,
    });
  }
  return checkRoleArn(roleArn);
}

export function checkRoleArn(roleArn: string): string {
  if (!ROLE_ARN.test(roleArn)) {
    throw new UsageError(`\`${roleArn}\` is not an IAM role ARN`, { hint: 'expected arn:aws:iam::<12-digit account>:role/<name>' });
  }
  return roleArn;
}

/**
 * Renders and checks every selected machine before any call, so a bad file stops the deploy early.
 * `roleArn` may differ per machine (deliv creates one role each); `defaults` are substitutions
 * the target's own ones override (the ARNs of the functions deploy creates).
 */
export async function renderForDeploy(project: Project, target: ResolvedTarget, names: string[], roleArn: string | ((machine: string) => string), defaults: Record<string, string> = {}): Promise<Desired[]> {
  const all = Object.keys(project.config.stateMachines);
  const selected = names.length > 0 ? names : all;
  if (selected.length === 0) throw new UsageError(`${project.file} declares no state machines`, { hint: 'add one under `stateMachines:` or run `deliv init`' });
  const desired: Desired[] = [];
  for (const name of selected) {
    const loaded = renderStateMachine(project, name, target.name, defaults);
    await checkDefinition(loaded, target.name);
    const config: StateMachineConfig = project.config.stateMachines[name];
    desired.push({
      name,
      type: config.type,
      definition: JSON.stringify(loaded.definition, null, 2),
      roleArn: typeof roleArn === 'string' ? roleArn : roleArn(name),
      tags: target.local ? undefined : { [PROJECT_TAG]: project.config.name },
      logging: machineLogging(project, target, name),
      loggingConfiguration: loggingTurnedOff(project, target, name) ? LOGGING_OFF : undefined,
      tracingConfiguration: config.tracing === undefined ? undefined : { enabled: config.tracing },
    });
  }
  return desired;
}

/** The project's validator, as `deliv validate` runs it; the first error stops the deploy. */
async function checkDefinition(loaded: ReturnType<typeof renderStateMachine>, targetName: string): Promise<void> {
  const { validateDefinition } = await import('../asl/validate.js');
  const errors = validateDefinition(loaded, { bare: false, target: targetName }).filter((problem) => problem.severity === 'error');
  if (errors.length === 0) return;
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  throw new UsageError(`${first.file}:${first.line}:${first.col}: ${first.message}${more}`, { hint: 'run `deliv validate` for every problem; nothing was deployed', code: 'INVALID_DEFINITION' });
}

export function consoleUrl(stateMachineArn: string, region: string): string {
  const partition = partitionOf(region);
  const host = partition === 'aws-cn' ? `${region}.console.amazonaws.cn` : partition === 'aws-us-gov' ? 'console.amazonaws-us-gov.com' : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/statemachines/view/${encodeURIComponent(stateMachineArn)}`;
}

/**
 * Plans every machine (reads only), then, unless it is a dry run, applies
 * each plan in turn: `--dry-run` shows exactly the plan a deploy carries out.
 */
export async function deploy(sfn: SFNClient, target: ResolvedTarget, desired: Desired[], options: DeployOptions): Promise<MachinePlan[]> {
  const deployed = new Map((await listStateMachines(sfn)).map((machine) => [machine.name, machine.stateMachineArn]));
  const groups = await prepareLogging(target, desired, options);
  const untailable = untailableNote(
    desired.filter((machine) => machine.type === 'EXPRESS' && !machine.logging).map((machine) => machine.name),
    target.name,
    options.projectFile ?? 'deliv.yaml',
  );
  const steps: MachineStep[] = [];
  for (const machine of desired) steps.push(await planMachine(sfn, target, machine, deployed.get(machine.name), options));
  const plans: MachinePlan[] = [];
  for (const step of steps) {
    const { plan, machine } = step;
    if (!options.dryRun) {
      await applyMachine(sfn, step, options).catch((error: unknown) => {
        throw explainLoggingRefusal(error, machine.name, machine.roleArn);
      });
    }
    if (!target.local) plan.consoleUrl = consoleUrl(plan.stateMachineArn, regionOf(plan.stateMachineArn) ?? target.region ?? 'us-east-1');
    if (machine.logging) {
      const group = machine.logging.logGroupName;
      const result = groups.get(group);
      const retention = result?.retentionSet;
      const kept = retention ? `; ${options.dryRun ? 'would keep' : 'keeps'} events ${retention.to} days${retention.from !== undefined ? ` (was ${retention.from})` : ''}` : '';
      plan.notes.push(`${result?.created ? (options.dryRun ? 'would create log group' : 'created log group') : 'logs to'} ${group} (level ${machine.logging.level}${machine.logging.includeExecutionData ? ', with execution data' : ''}${kept})`);
      // Said once per group, with the first machine that logs to it.
      groups.delete(group);
    }
    plans.push(plan);
  }
  // Said once, with the first of those machines.
  if (untailable) plans.find((plan) => plan.type === 'EXPRESS' && !desired.find((machine) => machine.name === plan.name)?.logging)?.notes.push(untailable);
  return plans;
}

/** The log groups the machines log to exist (or, on a dry run, would) before any machine points at them, with their retention; each group's result by name. */
async function prepareLogging(target: ResolvedTarget, desired: Desired[], options: DeployOptions): Promise<Map<string, LogGroupResult>> {
  const wanted = desired.flatMap((machine) => (machine.logging ? [machine.logging] : []));
  if (wanted.length === 0) return new Map();
  if (!options.logs) throw new Error('deploy: machines log, but no CloudWatch Logs client was given');
  const groups = await ensureLogGroups(await options.logs(), wanted, { dryRun: options.dryRun, region: target.region, accountId: target.accountId });
  for (const machine of desired) if (machine.logging) machine.loggingConfiguration = loggingConfiguration(machine.logging);
  return new Map(groups.map((group) => [group.logGroupName, group]));
}

function regionOf(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/**
 * One machine's plan and what applying it writes: `create` the machine,
 * `update` it, `publish` a version of the revision already deployed (deployed
 * by hand or by an older deliv), or `none`; then the alias.
 */
interface MachineStep {
  plan: MachinePlan;
  machine: Desired;
  write: 'create' | 'update' | 'publish' | 'none';
  /** The newest version, when it holds the deployed revision (`none`). */
  latestVersion?: string;
  /** The alias's routing as deployed; undefined when there is no alias yet. */
  alias?: RoutingConfigurationListItem[];
}

/** Reads what is deployed and decides the machine's writes; the plan is what `--dry-run` shows. */
async function planMachine(sfn: SFNClient, target: ResolvedTarget, machine: Desired, existingArn: string | undefined, options: DeployOptions): Promise<MachineStep> {
  const { DescribeStateMachineCommand } = await import('@aws-sdk/client-sfn');
  const plan: MachinePlan = {
    name: machine.name,
    type: machine.type,
    change: 'unchanged',
    stateMachineArn: existingArn ?? `arn:aws:states:${target.region ?? 'us-east-1'}:${target.accountId ?? '<account>'}:stateMachine:${machine.name}`,
    aliasArn: '',
    aliasChange: 'unchanged',
    routing: [],
    definitionDiff: [],
    settings: [],
    notes: [],
    definition: machine.definition,
  };
  plan.aliasArn = `${plan.stateMachineArn}:${options.alias}`;
  const settingsAfter = { type: machine.type, roleArn: machine.roleArn, logging: machine.loggingConfiguration, tracing: machine.tracingConfiguration };

  if (!existingArn) {
    plan.change = 'created';
    plan.aliasChange = 'created';
    plan.definitionDiff = unifiedDiff('', prettyDefinition(machine.definition), { before: '(not deployed)', after: machine.name });
    plan.settings = settingChanges({}, settingsAfter);
    if (options.canary !== undefined) plan.notes.push(`no previous version to share traffic with: alias ${options.alias} sends 100% to the first version`);
    plan.routing = [{ stateMachineVersionArn: `${plan.stateMachineArn}:1`, weight: 100 }];
    return { plan, machine, write: 'create' };
  }

  const current = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: existingArn }));
  if (current.type && current.type !== machine.type) {
    throw new DelivError(`\`${machine.name}\` is deployed as ${current.type} and deliv.yaml says ${machine.type}: a state machine's type cannot change`, {
      hint: `replace it: \`deliv destroy ${machine.name} --target ${target.name}\`, then deploy again (its execution history goes with it)`,
    });
  }
  plan.previousDefinition = current.definition;
  plan.settings = settingChanges(settingsOf(current), settingsAfter);
  const definitionChanged = !sameDefinition(current.definition ?? '', machine.definition);
  if (definitionChanged) {
    plan.definitionDiff = unifiedDiff(prettyDefinition(current.definition ?? ''), prettyDefinition(machine.definition), { before: `${machine.name} (deployed)`, after: `${machine.name} (deliv.yaml)` });
  }
  const machineChanged = definitionChanged || plan.settings.length > 0;

  const latestVersion = await latestVersionArn(sfn, existingArn);
  let versionIsCurrent = false;
  if (!machineChanged && latestVersion) {
    const version = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: latestVersion }));
    versionIsCurrent = sameDefinition(version.definition ?? '', current.definition ?? '') && version.roleArn === current.roleArn;
  }
  const alias = await describeAlias(sfn, plan.aliasArn);
  if (machineChanged) plan.change = 'updated';
  const write = machineChanged ? 'update' : versionIsCurrent ? 'none' : 'publish';
  plan.versionArn = write === 'none' ? latestVersion! : `${existingArn}:<new>`;
  planAlias(plan, alias, plan.versionArn, options);
  return { plan, machine, write, latestVersion, alias };
}

/** Makes the step's writes, then points the alias at the version they gave. */
async function applyMachine(sfn: SFNClient, step: MachineStep, options: DeployOptions): Promise<void> {
  const sdk = await import('@aws-sdk/client-sfn');
  const { plan, machine } = step;
  // What CreateStateMachine and UpdateStateMachine share: the definition, its settings, and a new version.
  const revision = {
    definition: machine.definition,
    roleArn: machine.roleArn,
    loggingConfiguration: machine.loggingConfiguration,
    tracingConfiguration: machine.tracingConfiguration,
    publish: true,
    versionDescription: options.versionDescription,
  };
  // A role created a moment ago may not be assumable by Step Functions yet: IAM is eventually consistent.
  const freshRole = { delaysMs: options.freshRoleDelaysMs, role: machine.roleArn, service: 'Step Functions' };

  if (step.write === 'create') {
    const tags = Object.entries(machine.tags ?? {}).map(([key, value]) => ({ key, value }));
    const created = await retryOnFreshRole(() => sfn.send(
      new sdk.CreateStateMachineCommand({ name: machine.name, type: machine.type, ...revision, ...(tags.length > 0 ? { tags } : {}) }),
    ), freshRole);
    plan.stateMachineArn = created.stateMachineArn!;
    plan.aliasArn = `${plan.stateMachineArn}:${options.alias}`;
    plan.versionArn = created.stateMachineVersionArn ?? (await publish(sfn, plan.stateMachineArn, options.versionDescription));
    plan.routing = [{ stateMachineVersionArn: plan.versionArn, weight: 100 }];
  } else {
    if (step.write === 'update') {
      const updated = await retryOnFreshRole(() => sfn.send(new sdk.UpdateStateMachineCommand({ stateMachineArn: plan.stateMachineArn, ...revision })), freshRole);
      plan.versionArn = updated.stateMachineVersionArn ?? (await publish(sfn, plan.stateMachineArn, options.versionDescription));
    } else if (step.write === 'publish') {
      plan.versionArn = await publish(sfn, plan.stateMachineArn, options.versionDescription);
      plan.notes.push('published a version of the definition already deployed');
    }
    // The plan routed to `<new>`: the same routing, now to the version just made, said with its number.
    plan.settings = plan.settings.filter((change) => change.setting !== `alias ${options.alias}`);
    plan.notes = plan.notes.filter((note) => !note.startsWith(NO_PREVIOUS_VERSION));
    planAlias(plan, step.alias, plan.versionArn!, options);
  }

  if (plan.aliasChange === 'created') {
    const created = await sfn.send(new sdk.CreateStateMachineAliasCommand({ name: options.alias, routingConfiguration: plan.routing, description: 'managed by deliv' }));
    plan.aliasArn = created.stateMachineAliasArn ?? plan.aliasArn;
  } else if (plan.aliasChange === 'updated') {
    await sfn.send(new sdk.UpdateStateMachineAliasCommand({ stateMachineAliasArn: plan.aliasArn, routingConfiguration: plan.routing }));
  }
}

const NO_PREVIOUS_VERSION = 'no previous version behind alias';

/**
 * Where the alias should send traffic: all of it to `versionArn`, or with a
 * canary `pct`% to it and the rest to the version the alias mostly served
 * before. Records the change in the plan.
 */
function planAlias(plan: MachinePlan, alias: RoutingConfigurationListItem[] | undefined, versionArn: string, options: DeployOptions): void {
  let routing: RoutingConfigurationListItem[] = [{ stateMachineVersionArn: versionArn, weight: 100 }];
  if (options.canary !== undefined && options.canary < 100) {
    const previous = (alias ?? [])
      .filter((entry) => entry.stateMachineVersionArn !== versionArn)
      .sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))[0];
    if (previous?.stateMachineVersionArn) {
      routing = options.canary === 0
        ? [{ stateMachineVersionArn: previous.stateMachineVersionArn, weight: 100 }]
        : [
            { stateMachineVersionArn: versionArn, weight: options.canary },
            { stateMachineVersionArn: previous.stateMachineVersionArn, weight: 100 - options.canary },
          ];
    } else if (plan.change !== 'created') {
      plan.notes.push(`${NO_PREVIOUS_VERSION} ${options.alias} to share traffic with: it sends 100% to ${versionLabel(versionArn)}`);
    }
  }
  plan.routing = routing;
  plan.aliasChange = 'unchanged';
  if (!alias) {
    plan.aliasChange = 'created';
    plan.settings.push({ setting: `alias ${options.alias}`, before: '(none)', after: describeRouting(routing) });
  } else if (!sameRouting(alias, routing)) {
    plan.aliasChange = 'updated';
    plan.settings.push({ setting: `alias ${options.alias}`, before: describeRouting(alias), after: describeRouting(routing) });
  }
}

function sameRouting(a: RoutingConfigurationListItem[], b: RoutingConfigurationListItem[]): boolean {
  const key = (items: RoutingConfigurationListItem[]) =>
    items
      .filter((item) => (item.weight ?? 0) > 0)
      .map((item) => `${item.stateMachineVersionArn}=${item.weight}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** `version 3` from `arn:...:stateMachine:name:3`. */
export function versionLabel(versionArn: string): string {
  const last = versionArn.split(':').at(-1) ?? versionArn;
  if (last === '<new>') return 'the new version';
  return /^\d+$/.test(last) ? `version ${last}` : last;
}

export function describeRouting(routing: RoutingConfigurationListItem[]): string {
  return routing.map((item) => `${item.weight}% on ${versionLabel(item.stateMachineVersionArn ?? '')}`).join(', ');
}

function settingsOf(current: DescribeStateMachineOutput): Record<string, unknown> {
  return {
    type: current.type,
    roleArn: current.roleArn,
    logging: current.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
    tracing: current.tracingConfiguration ?? { enabled: false },
  };
}

async function publish(sfn: SFNClient, stateMachineArn: string, description?: string): Promise<string> {
  const { PublishStateMachineVersionCommand } = await import('@aws-sdk/client-sfn');
  const published = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn, description }));
  return published.stateMachineVersionArn!;
}

async function latestVersionArn(sfn: SFNClient, stateMachineArn: string): Promise<string | undefined> {
  const { ListStateMachineVersionsCommand } = await import('@aws-sdk/client-sfn');
  const page = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn, maxResults: 1 }));
  return page.stateMachineVersions?.[0]?.stateMachineVersionArn;
}

async function describeAlias(sfn: SFNClient, aliasArn: string): Promise<RoutingConfigurationListItem[] | undefined> {
  const { DescribeStateMachineAliasCommand } = await import('@aws-sdk/client-sfn');
  try {
    const alias = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }));
    return alias.routingConfiguration ?? [];
  } catch (error) {
    if (['ResourceNotFound', 'StateMachineDoesNotExist'].includes((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
}
