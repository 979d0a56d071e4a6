import type { SFNClient } from '@aws-sdk/client-sfn';
import { listExecutions, listStateMachines } from '../aws/sfn.js';
import { DelivError } from '../ui/errors.js';

export interface MachineSummary {
  name: string;
  type?: string;
  stateMachineArn?: string;
  deployed: boolean;
  /** Declared in deliv.yaml. */
  inProject: boolean;
  latestExecution?: { name?: string; executionArn?: string; status?: string; startDate?: Date; stopDate?: Date };
  /** Why its executions cannot be listed (an Express machine that does not log), with the fix. */
  unreadable?: { message: string; hint?: string };
}

/**
 * The machines on a target with their latest execution, plus the project's
 * machines that are not deployed there yet.
 */
export async function machineSummaries(sfn: SFNClient, project: Record<string, { type: string }> = {}): Promise<MachineSummary[]> {
  const deployed = await listStateMachines(sfn);
  const summaries: MachineSummary[] = await Promise.all(
    deployed.map(async (machine) => {
      let latest: Awaited<ReturnType<typeof listExecutions>>[number] | undefined;
      let unreadable: MachineSummary['unreadable'];
      try {
        [latest] = await listExecutions(sfn, machine.stateMachineArn!, { limit: 1 });
      } catch (error) {
        // One machine that cannot be read (logging off) must not hide the others.
        if (!(error instanceof DelivError)) throw error;
        unreadable = { message: error.message, hint: error.hint };
      }
      return {
        unreadable,
        name: machine.name ?? '',
        type: machine.type,
        stateMachineArn: machine.stateMachineArn,
        deployed: true,
        inProject: machine.name !== undefined && machine.name in project,
        latestExecution: latest ? { name: latest.name, executionArn: latest.executionArn, status: latest.status, startDate: latest.startDate, stopDate: latest.stopDate } : undefined,
      };
    }),
  );
  for (const [name, config] of Object.entries(project)) {
    if (!summaries.some((summary) => summary.name === name)) summaries.push({ name, type: config.type, deployed: false, inProject: true });
  }
  return summaries.sort((a, b) => a.name.localeCompare(b.name));
}

/** `12s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function timeAgo(date: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
