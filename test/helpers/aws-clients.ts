/** The real AWS clients tests run against the emulator, where this machine has them (tests skip, named so, where not). */
export const AWS_CLI_V1 = '/root/.pyenv/shims/aws';
export const AWS_CLI_V2 = '/usr/bin/aws';
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * The environment a client process gets: test credentials and region, no
 * config or credentials files of the machine's user, no pager; `extra` on top.
 */
export function awsClientEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    ...extra,
  };
}
