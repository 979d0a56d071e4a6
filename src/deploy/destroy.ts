import type { SFNClient } from '@aws-sdk/client-sfn';
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
