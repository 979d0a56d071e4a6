/** The real AWS clients tests run against the emulator, where this machine has them (tests skip, named so, where not). */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const runFile = promisify(execFile);

export const AWS_CLI_V1 = '/root/.pyenv/shims/aws';
export const AWS_CLI_V2 = '/usr/bin/aws';

/**
 * The first Python that can `import boto3`, or undefined. The pyenv shim comes
 * first: it is where the AWS CLI v1 and boto3 are installed here, while
 * Debian's /usr/bin/python3 has no boto3 (a test that picked it failed with
 * ModuleNotFoundError instead of skipping).
 */
export const BOTO3_PYTHON: string | undefined = ['/root/.pyenv/shims/python3', '/usr/bin/python3'].find(
  (python) => existsSync(python) && spawnSync(python, ['-c', 'import boto3'], { stdio: 'ignore', timeout: 30_000 }).status === 0,
);

/**
 * The environment a client process gets: test credentials and region, no
 * config or credentials files of the machine's user, no pager; `extra` on top.
 */
export function awsClientEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // pyenv's shims choose the interpreter from these; without them the shim falls back to the global one.
    PYENV_ROOT: process.env.PYENV_ROOT,
    PYENV_VERSION: process.env.PYENV_VERSION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    ...extra,
  };
}

/**
 * `aws stepfunctions ...` against an endpoint (known once the emulator runs, hence a function): `aws` parses the JSON it
 * prints, `refused` returns the error line of a call that must fail (the CLI exits 254 or 255 and prints
 * `An error occurred (Code) when calling the X operation: message`).
 */
export function stepFunctionsCli(bin: string, endpoint: () => string) {
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await runFile(bin, ['stepfunctions', ...args, '--endpoint-url', endpoint(), '--output', 'json'], { env: awsClientEnv() });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };
  const refused = async (...args: string[]): Promise<string> => {
    try {
      await aws(...args);
    } catch (error) {
      return String((error as { stderr?: string }).stderr).trim();
    }
    throw new Error(`expected aws stepfunctions ${args[0]} to fail`);
  };
  return { aws, refused };
}
