/**
 * `deliv destroy`: the state machines, and on an AWS target with the whole
 * project named, what deliv created for it: the functions, the SNS topics and
 * SQS queues of `deploy --create-missing`, and the roles. Each is found by the
 * name deploy gives it (or the definitions name) and kept only when tagged
 * `deliv:project` with the project's name, so nothing someone else made goes.
 * `planDestroy` only reads; `applyDestroy` deletes in dependency order and a
 * failure says what was already deleted.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AwsDeployClients } from '../aws/clients.js';
import type { ResolvedTarget } from '../aws/target.js';
import type { Project } from '../project/config.js';
import { functionName, functionRoleName, machineRoleName, PROJECT_TAG } from '../project/names.js';
import { partialFailure } from '../ui/errors.js';
import { deleteFunction } from './functions.js';
import { deleteMessaging, ownedMessaging, type OwnedMessaging } from './messaging.js';
import { projectMessaging, resolveScope, targetScope } from './resources.js';
import { deleteRole } from './roles.js';
import { listStateMachines } from '../aws/sfn.js';

export interface DestroyResult {
  name: string;
  stateMachineArn?: string;
  deleted: boolean;
}

/** What deliv created for a project on an AWS target, found by name and kept only when tagged `deliv:project`. */
export interface ProjectResources {
  functions: string[];
  roles: string[];
  topics: OwnedMessaging[];
  queues: OwnedMessaging[];
}

export interface DestroyPlan extends ProjectResources {
  target: string;
  /** Every machine asked for; those without an ARN are not deployed. */
  stateMachines: DestroyResult[];
}

/** `--json`: the machines, and what was deleted (on a dry run, what would be): function and role names, topic ARNs, queue URLs. */
export interface DestroyOutcome {
  target: string;
  dryRun: boolean;
  stateMachines: DestroyResult[];
  functions: string[];
  roles: string[];
  topics: string[];
  queues: string[];
}

type ResourceClients = Pick<AwsDeployClients, 'lambda' | 'iam' | 'sts' | 'sns' | 'sqs'>;

/** The deployed machines among `names`, with their ARNs (the ones not deployed come back without one). */
export async function findDeployed(sfn: SFNClient, names: string[]): Promise<DestroyResult[]> {
  const deployed = new Map((await listStateMachines(sfn)).map((machine) => [machine.name, machine.stateMachineArn]));
  return names.map((name) => ({ name, stateMachineArn: deployed.get(name), deleted: false }));
}

/** Reads what there is to delete; `clients` only for the whole project on AWS (else machines alone). */
export async function planDestroy(sfn: SFNClient, names: string[], target: ResolvedTarget, project?: Project, clients?: ResourceClients): Promise<DestroyPlan> {
  const stateMachines = await findDeployed(sfn, names);
  const owned = project && clients ? await findProjectResources(project, target, clients) : { functions: [], roles: [], topics: [], queues: [] };
  return { target: target.name, stateMachines, ...owned };
}

/** Everything the plan deletes, as the confirmation names it: `order-fulfillment, function shop-pay, topic orders`. */
export function doomedNames(plan: DestroyPlan): string[] {
  return [
    ...plan.stateMachines.filter((machine) => machine.stateMachineArn).map((machine) => machine.name),
    ...plan.functions.map((fn) => `function ${fn}`),
    ...plan.topics.map((topic) => `topic ${topic.name}`),
    ...plan.queues.map((queue) => `queue ${queue.name}`),
    ...plan.roles.map((role) => `role ${role}`),
  ];
}

export async function findProjectResources(project: Project, target: ResolvedTarget, clients: ResourceClients): Promise<ProjectResources> {
  const { GetFunctionCommand } = await import('@aws-sdk/client-lambda');
  const { GetRoleCommand } = await import('@aws-sdk/client-iam');
  const name = project.config.name;
  const functions: string[] = [];
  if (Object.keys(project.config.functions ?? {}).length > 0) {
    const lambda = await clients.lambda();
    for (const key of Object.keys(project.config.functions ?? {})) {
      const fn = functionName(project, key);
      const found = await lambda.send(new GetFunctionCommand({ FunctionName: fn })).catch((error: { name?: string }) => {
        if (error.name === 'ResourceNotFoundException') return undefined;
        throw error;
      });
      if (found?.Tags?.[PROJECT_TAG] === name) functions.push(fn);
    }
  }
  // Only the roles deliv would have created: none where the target names its own.
  const candidates = [
    ...(Object.keys(project.config.functions ?? {}).length > 0 && !target.functionRoleArn ? [functionRoleName(project)] : []),
    ...(target.roleArn ? [] : Object.keys(project.config.stateMachines).map((machine) => machineRoleName(project, machine))),
  ];
  const roles: string[] = [];
  const iam = candidates.length > 0 ? await clients.iam() : undefined;
  for (const role of candidates) {
    const found = await iam!.send(new GetRoleCommand({ RoleName: role })).catch((error: { name?: string }) => {
      if (error.name === 'NoSuchEntityException' || error.name === 'NoSuchEntity') return undefined;
      throw error;
    });
    if ((found?.Role?.Tags ?? []).some((tag) => tag.Key === PROJECT_TAG && tag.Value === name)) roles.push(role);
  }
  const messaging = await findProjectMessaging(project, target, clients);
  return { functions, roles, topics: messaging.filter((resource) => resource.kind === 'topic'), queues: messaging.filter((resource) => resource.kind === 'queue') };
}

/**
 * The topics and queues the machines name, as deploy reads them, then those of them deliv created.
 * The account is needed only when there are some (STS GetCallerIdentity when the target names none).
 */
async function findProjectMessaging(project: Project, target: ResolvedTarget, clients: ResourceClients): Promise<OwnedMessaging[]> {
  const machines = Object.keys(project.config.stateMachines);
  if (projectMessaging(project, target, machines, targetScope(target)).length === 0) return [];
  const scope = await resolveScope(target, clients);
  return ownedMessaging(projectMessaging(project, target, machines, scope), project.config.name, clients);
}

/**
 * Deletes the plan: the machines (DeleteStateMachine takes their versions and aliases), the functions,
 * the topics and queues (after the machines that use them), the roles last (after what ran as them).
 * `onStep` is told each deletion as it is done.
 */
export async function applyDestroy(sfn: SFNClient, plan: DestroyPlan, project: Project | undefined, clients: ResourceClients | undefined, onStep: (text: string) => void = () => {}): Promise<DestroyOutcome> {
  const { DeleteStateMachineCommand } = await import('@aws-sdk/client-sfn');
  const outcome: DestroyOutcome = { target: plan.target, dryRun: false, stateMachines: plan.stateMachines, functions: [], roles: [], topics: [], queues: [] };
  const done: string[] = [];
  const step = (text: string) => {
    done.push(text);
    onStep(text);
  };
  try {
    for (const machine of plan.stateMachines) {
      if (!machine.stateMachineArn) continue;
      await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: machine.stateMachineArn }));
      machine.deleted = true;
      step(`deleted ${machine.name}  ${machine.stateMachineArn}`);
    }
    if (!project || !clients) return outcome;
    for (const fn of plan.functions) {
      if (!(await deleteFunction(await clients.lambda(), fn, project.config.name))) continue;
      outcome.functions.push(fn);
      step(`deleted function ${fn}`);
    }
    for (const resource of [...plan.topics, ...plan.queues]) {
      await deleteMessaging(resource, clients);
      if (resource.kind === 'topic') outcome.topics.push(resource.arn);
      else outcome.queues.push(resource.url!);
      step(`deleted ${resource.kind} ${resource.name}  ${resource.url ?? resource.arn}`);
    }
    for (const role of plan.roles) {
      if (!(await deleteRole(await clients.iam(), role, project.config.name))) continue;
      outcome.roles.push(role);
      step(`deleted role ${role}`);
    }
    return outcome;
  } catch (error) {
    throw partialFailure(error, done, 'Destroying again deletes the rest');
  }
}

/** A dry run's answer: what would be deleted, nothing deleted. */
export function destroyDryRun(plan: DestroyPlan): DestroyOutcome {
  return {
    target: plan.target,
    dryRun: true,
    stateMachines: plan.stateMachines,
    functions: plan.functions,
    roles: plan.roles,
    topics: plan.topics.map((topic) => topic.arn),
    queues: plan.queues.map((queue) => queue.url!),
  };
}

/** Declined, or nothing there: the machines as found, nothing deleted. */
export function nothingDeleted(plan: DestroyPlan): DestroyOutcome {
  return { target: plan.target, dryRun: false, stateMachines: plan.stateMachines, functions: [], roles: [], topics: [], queues: [] };
}
