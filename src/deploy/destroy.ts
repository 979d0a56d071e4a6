import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Project } from '../project/config.js';
import { functionName, functionRoleName, machineRoleName, PROJECT_TAG } from '../project/names.js';
import { deleteFunction } from './functions.js';
import { deleteRole } from './roles.js';
import { listStateMachines } from '../aws/sfn.js';

export interface DestroyResult {
  name: string;
  stateMachineArn?: string;
  deleted: boolean;
}

/** The deployed machines among `names`, with their ARNs (the ones not deployed come back without one). */
export async function findDeployed(sfn: SFNClient, names: string[]): Promise<DestroyResult[]> {
  const deployed = new Map((await listStateMachines(sfn)).map((machine) => [machine.name, machine.stateMachineArn]));
  return names.map((name) => ({ name, stateMachineArn: deployed.get(name), deleted: false }));
}

/** DeleteStateMachine takes the machine's versions and aliases with it. */
export async function destroyMachines(sfn: SFNClient, targets: DestroyResult[]): Promise<DestroyResult[]> {
  const { DeleteStateMachineCommand } = await import('@aws-sdk/client-sfn');
  for (const target of targets) {
    if (!target.stateMachineArn) continue;
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: target.stateMachineArn }));
    target.deleted = true;
  }
  return targets;
}

/** The functions and roles deliv created for a project on an AWS target: found by name, kept only when tagged `deliv:project`. */
export interface ProjectResources {
  functions: string[];
  roles: string[];
}

export async function findProjectResources(project: Project, target: { roleArn?: string; functionRoleArn?: string }, clients: { lambda: () => Promise<LambdaClient>; iam: () => Promise<IAMClient> }): Promise<ProjectResources> {
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
  return { functions, roles };
}

/** Functions first, then the roles they and the machines ran as. */
export async function destroyProjectResources(project: Project, resources: ProjectResources, clients: { lambda: () => Promise<LambdaClient>; iam: () => Promise<IAMClient> }): Promise<ProjectResources> {
  const deleted: ProjectResources = { functions: [], roles: [] };
  for (const fn of resources.functions) if (await deleteFunction(await clients.lambda(), fn, project.config.name)) deleted.functions.push(fn);
  for (const role of resources.roles) if (await deleteRole(await clients.iam(), role, project.config.name)) deleted.roles.push(role);
  return deleted;
}
