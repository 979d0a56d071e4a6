/**
 * The connection every command that talks to Step Functions opens: the
 * target resolved from deliv.yaml and the flags, and for the local target the
 * project's emulator, started in the background when it is not running (the
 * caller is told through `note`, to say so on stderr). It lives here, not in
 * src/aws, so that the arrows point one way: local uses aws, never the reverse.
 */
import type { Project } from '../project/config.js';
import { connectTarget, type Connection } from '../aws/sfn.js';
import { resolveTarget, type TargetFlags } from '../aws/target.js';

export type { Connection };

export async function connect(project: Project | undefined, flags: TargetFlags, note: (text: string) => void): Promise<Connection> {
  const target = resolveTarget(project, flags);
  let startedEmulator = false;
  if (target.local && project) {
    const explicit = project.config.targets[target.name]?.endpoint ?? process.env.DELIV_LOCAL_ENDPOINT;
    if (!explicit) {
      // Loaded only for the local target: an AWS target never loads the emulator's modules.
      const { ensureLocalEmulator } = await import('./ensure.js');
      const ensured = await ensureLocalEmulator({ root: project.root });
      target.endpoint = ensured.endpoint;
      startedEmulator = ensured.started;
      if (ensured.started) note(`Started the local emulator at ${ensured.endpoint} (stop it with \`deliv local stop\`)`);
    }
  }
  return connectTarget(target, startedEmulator);
}
