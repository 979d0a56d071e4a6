/**
 * The whole project to an AWS target in one plan: the functions' execution
 * role, the functions (bundled, created or updated, versioned), each state
 * machine's least-privilege role, then the state machines with the functions'
 * ARNs filled in. `planProjectDeploy` only reads; `applyProjectDeploy` makes
 * the write calls in that dependency order, and a failure stops the rest and
 * says what was already done, so a re-run completes it.
 */
import type { AwsDeployClients } from '../aws/clients.js';
import { buildArn, fillPseudoParameters, type ArnScope } from '../aws/arn.js';
import type { ResolvedTarget } from '../aws/target.js';
import { PROJECT_FILE, type Project } from '../project/config.js';
import { partialFailure } from '../ui/errors.js';
import { notKnownError } from '../ui/suggest.js';
import { packageFunction } from './bundle.js';
import { deploy, renderForDeploy, type DeployOptions, type MachinePlan } from './deploy.js';
import { applyFunction, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, planFunction, type ApplyOptions, type FunctionPlan, type FunctionSpec } from './functions.js';
import { checkMessaging, createMessaging, type MessagingPlan } from './messaging.js';
import { machinePolicy } from './policy.js';
import { functionName, functionRoleName, machineRoleName } from '../project/names.js';
import { automaticSubstitutions, loggingEnabled, projectMessaging, renderForTarget, resolveScope } from './resources.js';
import { applyRole, functionLogsPolicy, lambdaTrust, planRole, stateMachineTrust, type RolePlan, type RoleSpec } from './roles.js';

export type { AwsDeployClients };

export interface ProjectPlan {
  target: string;
  scope?: ArnScope;
  functionRole?: RolePlan;
  functions: FunctionPlan[];
  machineRoles: Array<{ machine: string; role: RolePlan }>;
  /** The role each machine runs as. */
  roleArns: Record<string, string>;
  /** Substitutions the deploy fills: the functions' ARNs. */
  substitutions: Record<string, string>;
  /** The SNS topics and SQS queues the machines use; looked up and created only with `createMissing`. */
  messaging: MessagingPlan[];
}

export interface PlanOptions {
  explicitRoleArn?: string;
  alias?: string;
  /** Look up the topics and queues the machines use, and plan to create the absent ones. */
  createMissing?: boolean;
}

export const STATE_MACHINE_POLICY = 'deliv-state-machine';
export const FUNCTION_POLICY = 'deliv-function-logs';

/** Reads what is deployed and decides every call; nothing is written. */
export async function planProjectDeploy(project: Project, target: ResolvedTarget, clients: AwsDeployClients, machines: string[], options: PlanOptions = {}): Promise<ProjectPlan> {
  const functions = Object.entries(project.config.functions ?? {});
  const roleArn = options.explicitRoleArn ?? target.roleArn;
  const alias = options.alias ?? 'live';
  const plan: ProjectPlan = { target: target.name, functions: [], machineRoles: [], roleArns: {}, substitutions: {}, messaging: [] };
  if (functions.length === 0 && roleArn && !options.createMissing) {
    // Nothing for deliv to create: the machines run as the given role, no account lookup needed.
    for (const machine of machines) plan.roleArns[machine] = roleArn;
    return plan;
  }
  const scope = await resolveScope(target, clients);
  plan.scope = scope;
  const name = project.config.name;

  if (functions.length > 0) {
    const packages = await Promise.all(functions.map(([key, config]) => packageFunction(project, key, config)));
    let functionRoleArn = target.functionRoleArn;
    if (!functionRoleArn) {
      const iam = await clients.iam();
      const logGroups = functions.flatMap(([key]) => [buildArn(scope, 'logs', `log-group:/aws/lambda/${functionName(project, key)}`), buildArn(scope, 'logs', `log-group:/aws/lambda/${functionName(project, key)}:*`)]);
      const extra = functions.flatMap(([, config]) => (config.permissions ?? []).map((statement) => JSON.parse(fillPseudoParameters(JSON.stringify({ Effect: 'Allow', ...statement }), scope)) as Record<string, unknown>));
      const policy = functionLogsPolicy(logGroups, extra);
      const spec: RoleSpec = { name: functionRoleName(project), service: 'lambda.amazonaws.com', purpose: 'execution role of the functions', trust: lambdaTrust(), policyName: FUNCTION_POLICY, policy, project: name };
      plan.functionRole = await planRole(iam, spec, scope);
      functionRoleArn = plan.functionRole.arn;
    }
    const lambda = await clients.lambda();
    const arnPrefix = buildArn(scope, 'lambda', 'function:');
    plan.functions = await Promise.all(functions.map(([key, config], index) => {
      const spec: FunctionSpec = {
        key,
        name: functionName(project, key),
        project: name,
        runtime: packages[index].runtime,
        memoryMB: config.memoryMB ?? DEFAULT_MEMORY_MB,
        timeoutSeconds: config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        architecture: config.architecture ?? 'x86_64',
        // Stack traces point at the TypeScript sources through the bundle's source map.
        environment: { NODE_OPTIONS: '--enable-source-maps', ...config.environment },
        roleArn: functionRoleArn!,
        package: packages[index],
        alias,
      };
      return planFunction(lambda, spec, arnPrefix);
    }));
  }
  // The machines call each function's alias: a version reaches them when the alias moves to it.
  const deployed = Object.fromEntries(plan.functions.map((fn) => [fn.spec.key, fn.aliasArn]));
  plan.substitutions = automaticSubstitutions(project, scope, deployed);
  plan.messaging = projectMessaging(project, target, machines, scope, deployed);
  if (options.createMissing) await checkMessaging(plan.messaging, clients);

  if (roleArn) {
    for (const machine of machines) plan.roleArns[machine] = roleArn;
  } else {
    const iam = await clients.iam();
    for (const machine of machines) {
      const { definition } = renderForTarget(project, machine, target, scope, deployed);
      const policy = machinePolicy(definition, { ...scope, machineName: machine, logging: loggingEnabled(project, machine, target), tracing: project.config.stateMachines[machine]?.tracing === true });
      const spec: RoleSpec = { name: machineRoleName(project, machine), service: 'states.amazonaws.com', purpose: `role of state machine ${machine}`, trust: stateMachineTrust(scope.account), policyName: STATE_MACHINE_POLICY, policy: policy.document, project: name };
      const role = await planRole(iam, spec, scope);
      plan.machineRoles.push({ machine, role });
      plan.roleArns[machine] = role.arn;
    }
  }
  return plan;
}

export interface ProjectDeployResult {
  target: string;
  dryRun: boolean;
  functions: Array<{ key: string; name: string; arn: string; aliasArn: string; change: string; changes: string[]; version?: string; calls: string[] }>;
  /** SNS topics and SQS queues the machines use, and what `--create-missing` did with them. */
  messaging: MessagingPlan[];
  roles: Array<{ name: string; purpose: string; arn: string; change: string; calls: string[]; policy: unknown }>;
  stateMachines: MachinePlan[];
}

export interface ProjectDeployOptions extends Omit<DeployOptions, 'roleArn'> {
  roleArn?: string;
  lambda?: ApplyOptions;
  /** Told each step as it is done: `created function shop-pay`. */
  onStep?: (text: string) => void;
  /** Create the SNS topics and SQS queues the machines use that do not exist yet. */
  createMissing?: boolean;
}

/** Plans, then (unless dry run) applies: roles and functions first, the state machines last. */
export async function deployProject(project: Project, target: ResolvedTarget, clients: AwsDeployClients, options: ProjectDeployOptions): Promise<ProjectDeployResult> {
  const all = Object.keys(project.config.stateMachines);
  const machines = options.names.length > 0 ? options.names : all;
  for (const machine of machines) {
    if (!project.config.stateMachines[machine]) throw notKnownError('state machine', machine, all, PROJECT_FILE);
  }
  // A definition that does not validate stops the deploy before any AWS call; the account is not known
  // yet, so the functions' ARNs are checked with a stand-in one.
  await renderForDeploy(project, target, machines, () => '', automaticSubstitutions(project, { partition: 'aws', region: target.region ?? 'us-east-1', account: target.accountId ?? '000000000000' }));
  const plan = await planProjectDeploy(project, target, clients, machines, { explicitRoleArn: options.roleArn, alias: options.alias, createMissing: options.createMissing });
  const done: string[] = [];
  const step = (text: string) => {
    done.push(text);
    options.onStep?.(text);
  };
  try {
    if (!options.dryRun) {
      if (plan.functionRole && plan.functionRole.change !== 'unchanged') {
        const iam = await clients.iam();
        await applyRole(iam, plan.functionRole);
        step(`${plan.functionRole.change === 'create' ? 'created' : 'updated'} role ${plan.functionRole.spec.name}`);
      }
      const lambda = plan.functions.length > 0 ? await clients.lambda() : undefined;
      await inBatches(plan.functions.filter((fn) => fn.change !== 'unchanged'), 4, async (fn) => {
        await applyFunction(lambda!, fn, options.lambda);
        step(`${fn.change === 'create' ? 'created' : 'updated'} function ${fn.spec.name}${fn.version ? ` (version ${fn.version}, alias ${fn.spec.alias})` : ''}`);
      });
      // Before the machines: an execution that reaches the Task finds its topic or queue.
      for (const resource of plan.messaging.filter((candidate) => candidate.change === 'create')) {
        await createMessaging(resource, project.config.name, clients);
        step(`created ${resource.kind} ${resource.name}`);
      }
      for (const { machine, role } of plan.machineRoles.filter((candidate) => candidate.role.change !== 'unchanged')) {
        plan.roleArns[machine] = await applyRole(await clients.iam(), role);
        step(`${role.change === 'create' ? 'created' : 'updated'} role ${role.spec.name}`);
      }
    }
    const desired = await renderForDeploy(project, target, machines, (machine) => plan.roleArns[machine], plan.substitutions);
    const stateMachines = await deploy(clients.sfn, target, desired, { ...options, roleArn: options.roleArn ?? '', logs: clients.logs, projectFile: project.file });
    return {
      target: target.name,
      dryRun: options.dryRun,
      functions: plan.functions.map((fn) => ({ key: fn.spec.key, name: fn.spec.name, arn: fn.arn, aliasArn: fn.aliasArn, change: fn.change, changes: fn.changes, version: fn.version, calls: fn.calls })),
      messaging: plan.messaging,
      roles: [...(plan.functionRole ? [plan.functionRole] : []), ...plan.machineRoles.map((entry) => entry.role)].map((role) => ({ name: role.spec.name, purpose: role.spec.purpose, arn: role.arn, change: role.change, calls: role.calls, policy: role.spec.policy })),
      stateMachines,
    };
  } catch (error) {
    throw partialFailure(error, done, 'Deploying again completes the rest');
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let index = 0; index < items.length; index += size) {
    const results = await Promise.allSettled(items.slice(index, index + size).map(work));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
