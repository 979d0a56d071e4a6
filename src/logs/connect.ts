/**
 * A Step Functions client for the target a command works on. For the local
 * target the embedded emulator is started when it is not running (and the
 * caller is told, to say so on stderr); AWS targets go through the SDK's own
 * credential and region chain. Every command that reads or writes executions
 * (deploy, start, logs, ls, destroy, explain, graph) connects here.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createSfnClient, DEFAULT_LOCAL_PORT } from '../aws/clients.js';
import { resolveTarget, type ResolvedTarget, type TargetFlags } from '../aws/target.js';
import type { Project } from '../project/config.js';

export interface Connection {
  sfn: SFNClient;
  target: ResolvedTarget;
  /** The emulator was not running and has been started for this command. */
  startedEmulator: boolean;
}

interface EnsureModule {
  ensureLocalEmulator(options: { root: string; port?: number }): Promise<{ endpoint: string; started: boolean }>;
}

export async function connect(project: Project | undefined, flags: TargetFlags, note: (text: string) => void): Promise<Connection> {
  const target = resolveTarget(project, flags);
  let startedEmulator = false;
  if (target.local && project) {
    const explicit = project.config.targets[target.name]?.endpoint ?? process.env.DELIV_LOCAL_ENDPOINT;
    if (!explicit) {
      const ensured = await ensureEmulator(project.root, portOf(target.endpoint));
      if (ensured) {
        target.endpoint = ensured.endpoint;
        startedEmulator = ensured.started;
        if (ensured.started) note(`Started the local emulator at ${ensured.endpoint} (stop it with \`deliv local stop\`)`);
      }
    }
  }
  return { sfn: await createSfnClient(target), target, startedEmulator };
}

function portOf(endpoint: string | undefined): number {
  if (!endpoint) return DEFAULT_LOCAL_PORT;
  const port = Number(new URL(endpoint).port);
  return Number.isInteger(port) && port > 0 ? port : DEFAULT_LOCAL_PORT;
}

async function ensureEmulator(root: string, port: number): Promise<{ endpoint: string; started: boolean } | undefined> {
  // The emulator ships in src/local; a build without it connects to the endpoint as configured.
  const specifier = '../local/ensure.js';
  let module: EnsureModule;
  try {
    module = (await import(specifier)) as EnsureModule;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  return module.ensureLocalEmulator({ root, port });
}
