import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Project, TargetConfig } from '../project/config.js';
import { notKnownError } from '../ui/suggest.js';
import { DEFAULT_LOCAL_PORT, LOCAL_ACCOUNT, LOCAL_REGION, type ClientTarget } from './clients.js';

export interface ResolvedTarget extends ClientTarget {
  roleArn?: string;
  /** AWS targets: the functions' execution role, when deliv is not to create one. */
  functionRoleArn?: string;
  accountId?: string;
  substitutions: Record<string, string>;
  alias?: string;
}

export interface TargetFlags {
  target?: string;
  region?: string;
  profile?: string;
}

/**
 * Picks the target a command works on: `--target`, else deliv.yaml's
 * `defaultTarget`, else `local`. Flags win over deliv.yaml, deliv.yaml over the
 * environment (which the SDK reads itself). Outside a project only `local` and
 * ad-hoc AWS targets (`--target aws`, region and profile from flags or env) exist.
 */
export function resolveTarget(project: Project | undefined, flags: TargetFlags = {}): ResolvedTarget {
  const name = flags.target ?? project?.config.defaultTarget ?? 'local';
  let config: TargetConfig | undefined = project?.config.targets[name];
  if (!config) {
    if (name === 'local') config = { kind: 'local' };
    else if (name === 'aws' || !project) config = { kind: 'aws' };
    else {
      throw notKnownError('target', name, Object.keys(project.config.targets), 'deliv.yaml');
    }
  }
  const local = (config.kind ?? (name === 'local' ? 'local' : 'aws')) === 'local';
  if (local) {
    return {
      name,
      local: true,
      region: config.region ?? LOCAL_REGION,
      endpoint: config.endpoint ?? process.env.DELIV_LOCAL_ENDPOINT ?? (project && runningEmulatorEndpoint(project.root)) ?? `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`,
      accountId: config.accountId ?? LOCAL_ACCOUNT,
      roleArn: config.roleArn ?? `arn:aws:iam::${LOCAL_ACCOUNT}:role/DelivLocalRole`,
      substitutions: config.substitutions ?? {},
      alias: config.alias,
    };
  }
  return {
    name,
    local: false,
    region: flags.region ?? config.region,
    profile: flags.profile ?? config.profile,
    endpoint: config.endpoint,
    roleArn: config.roleArn,
    functionRoleArn: config.functionRoleArn,
    accountId: config.accountId,
    substitutions: config.substitutions ?? {},
    alias: config.alias,
  };
}

/**
 * Where the project's emulator said it listens (`.deliv/emulator.json`, PREAMBLE
 * decision 5): it may have taken another port than 8083. Whether it still
 * runs is for the caller to find out (`ensureLocalEmulator`, or the error
 * that says how to start it).
 */
export function runningEmulatorEndpoint(root: string): string | undefined {
  try {
    const info = JSON.parse(readFileSync(path.join(root, '.deliv', 'emulator.json'), 'utf8')) as { port?: unknown; host?: unknown };
    if (typeof info.port !== 'number' || !Number.isInteger(info.port) || info.port <= 0) return undefined;
    const host = typeof info.host === 'string' && info.host !== '0.0.0.0' && info.host !== '' ? info.host : '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
  } catch {
    return undefined;
  }
}
