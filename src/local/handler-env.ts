/**
 * The AWS environment a local handler runs in. By default it is the local
 * account's: credentials that exist nowhere else, the SDK's endpoints pointed
 * at the emulator, and none of the user's own credentials (environment keys,
 * profiles, SSO, web identity, container or instance metadata), so a handler
 * written for AWS cannot reach (or bill, or break) a real account by accident.
 * A function whose deliv.yaml entry says `aws: real` keeps the user's
 * environment and reaches real AWS; deliv says so once per function.
 */
import os from 'node:os';
import path from 'node:path';
import type { Partition } from './arn.js';

export type HandlerAws = 'local' | 'real';

export const LOCAL_ACCESS_KEY_ID = 'deliv-local';

/** Variables through which the SDK finds credentials other than the ones given here. */
const CREDENTIAL_SOURCES = [
  'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION',
  'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME', 'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

/** `base` (the emulator's environment) as a handler of `mode` sees it. */
export function handlerAwsEnvironment(base: NodeJS.ProcessEnv, options: { mode?: HandlerAws; endpoint: string; partition: Partition }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const endpoint = options.endpoint;
  if (options.mode === 'real') {
    // The emulator's own overrides are not the user's: a real handler talks to AWS.
    for (const key of Object.keys(env)) if (key.startsWith('AWS_ENDPOINT_URL') && env[key] === endpoint) delete env[key];
    return env;
  }
  for (const key of CREDENTIAL_SOURCES) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('AWS_ENDPOINT_URL')) delete env[key];
  // No shared config or credentials file either (~/.aws holds the user's real profiles).
  const nowhere = path.join(os.tmpdir(), 'deliv-no-aws-config');
  return Object.assign(env, {
    AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: LOCAL_ACCESS_KEY_ID,
    AWS_REGION: options.partition.region,
    AWS_DEFAULT_REGION: options.partition.region,
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
  });
}

const announced = new Set<string>();

/** The one line said when a function first runs against real AWS. */
export function announceRealAws(name: string, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  if (announced.has(name)) return;
  announced.add(name);
  write(`functions.${name} has \`aws: real\` in deliv.yaml: it runs with your own AWS credentials and reaches real AWS`);
}
