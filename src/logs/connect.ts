/**
 * A Step Functions client for the target a command works on. For the local
 * target the embedded emulator is started when it is not running (and the
 * caller is told, to say so on stderr); AWS targets go through the SDK's own
 * credential and region chain. Every command that reads or writes executions
 * (deploy, start, logs, ls, destroy, explain, graph) connects here.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createLogsClient, createSfnClient } from '../aws/clients.js';
import { attachExpressReader, ExpressLogReader } from '../aws/logs.js';
import { resolveTarget, type ResolvedTarget, type TargetFlags } from '../aws/target.js';
import type { Project } from '../project/config.js';

export interface Connection {
  sfn: SFNClient;
  target: ResolvedTarget;
  /** The emulator was not running and has been started for this command. */
  startedEmulator: boolean;
  /** CloudWatch Logs on the same target (the emulator serves it on its own port), made on first use. */
  logs(): Promise<CloudWatchLogsClient>;
}

export async function connect(project: Project | undefined, flags: TargetFlags, note: (text: string) => void): Promise<Connection> {
  const target = resolveTarget(project, flags);
  let startedEmulator = false;
  if (target.local && project) {
    const explicit = project.config.targets[target.name]?.endpoint ?? process.env.DELIV_LOCAL_ENDPOINT;
    if (!explicit) {
      const { ensureLocalEmulator } = await import('../local/ensure.js');
      const ensured = await ensureLocalEmulator({ root: project.root });
      target.endpoint = ensured.endpoint;
      startedEmulator = ensured.started;
      if (ensured.started) note(`Started the local emulator at ${ensured.endpoint} (stop it with \`deliv local stop\`)`);
    }
  }
  let logsClient: Promise<CloudWatchLogsClient> | undefined;
  const logs = () => (logsClient ??= createLogsClient(target));
  const sfn = await createSfnClient(target);
  attachExpressReader(sfn, new ExpressLogReader(sfn, logs, target.name, target.local));
  return { sfn, target, startedEmulator, logs };
}
