/** The Step Functions client `--from-executions` reads histories with. */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createSfnClient } from '../aws/clients.js';
import { resolveTarget } from '../aws/target.js';
import type { Project } from '../project/config.js';

export async function sfnClientForTarget(project: Project | undefined, targetName: string | undefined, _note: (text: string) => void): Promise<SFNClient> {
  const target = resolveTarget(project, { target: targetName });
  return createSfnClient(target);
}
