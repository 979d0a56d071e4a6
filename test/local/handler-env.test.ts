/** Local handlers reach the emulator with the local account's credentials, never the user's AWS unless `aws: real`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerAwsEnvironment } from '../../src/local/handler-env.js';
import { LambdaHost } from '../../src/local/lambda.js';
import { tempDir } from '../helpers/cli.js';

const PARTITION = { region: 'us-east-1', account: '123456789012' };
const ENDPOINT = 'http://127.0.0.1:8083';
const USER_ENV = {
  PATH: '/usr/bin',
  AWS_ACCESS_KEY_ID: 'AKIAREALUSERKEY00000',
  AWS_SECRET_ACCESS_KEY: 'real-secret',
  AWS_SESSION_TOKEN: 'real-session',
  AWS_PROFILE: 'prod-admin',
  AWS_REGION: 'sa-east-1',
  AWS_ENDPOINT_URL_SFN: ENDPOINT,
  AWS_ENDPOINT_URL_S3: 'https://s3.sa-east-1.amazonaws.com',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.2/creds',
};

describe('handlerAwsEnvironment', () => {
  it('gives a local handler the local account and the emulator, and none of the user credentials', () => {
    const env = handlerAwsEnvironment(USER_ENV, { endpoint: ENDPOINT, partition: PARTITION });
    expect(env).toMatchObject({ PATH: '/usr/bin', AWS_ACCESS_KEY_ID: 'deliv-local', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: ENDPOINT, AWS_ENDPOINT_URL_SFN: ENDPOINT, AWS_EC2_METADATA_DISABLED: 'true' });
    for (const key of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_S3', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) expect(env, key).not.toHaveProperty(key);
    expect(JSON.stringify(env)).not.toMatch(/AKIAREALUSERKEY|real-secret|real-session|prod-admin/);
  });

  it('leaves `aws: real` the user environment, without the emulator as an endpoint', () => {
    const env = handlerAwsEnvironment(USER_ENV, { mode: 'real', endpoint: ENDPOINT, partition: PARTITION });
    expect(env).toMatchObject({ AWS_ACCESS_KEY_ID: 'AKIAREALUSERKEY00000', AWS_PROFILE: 'prod-admin', AWS_ENDPOINT_URL_S3: 'https://s3.sa-east-1.amazonaws.com' });
    expect(env).not.toHaveProperty('AWS_ENDPOINT_URL_SFN');
  });
});

describe('a handler run by the emulator', () => {
  let workspace: { dir: string; cleanup: () => void };
  let host: LambdaHost;
  const saved = { ...process.env };
  beforeAll(() => {
    workspace = tempDir('deliv-handler-env-');
    mkdirSync(path.join(workspace.dir, 'functions'));
    writeFileSync(path.join(workspace.dir, 'package.json'), '{"type":"module"}');
    writeFileSync(
      path.join(workspace.dir, 'functions/env.mjs'),
      'export const handler = async () => ({ key: process.env.AWS_ACCESS_KEY_ID, token: process.env.AWS_SESSION_TOKEN ?? null, profile: process.env.AWS_PROFILE ?? null, endpoint: process.env.AWS_ENDPOINT_URL ?? null });\n',
    );
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAREALUSERKEY00000', AWS_SESSION_TOKEN: 'real-session', AWS_PROFILE: 'prod-admin' });
    host = new LambdaHost(workspace.dir, path.join(workspace.dir, '.deliv/cache/handlers'), PARTITION, () => ENDPOINT);
  });
  afterAll(async () => {
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await host.close();
    workspace.cleanup();
  });

  it('sees the local account even when the user has AWS credentials in the environment', async () => {
    const seen = await host.invoke('env', { handler: 'functions/env.mjs' }, {}, new AbortController().signal);
    expect(seen).toEqual({ key: 'deliv-local', token: null, profile: null, endpoint: ENDPOINT });
  });

  it('sees the user credentials only with aws: real', async () => {
    const seen = await host.invoke('envReal', { handler: 'functions/env.mjs', aws: 'real' }, {}, new AbortController().signal);
    expect(seen).toMatchObject({ key: 'AKIAREALUSERKEY00000', token: 'real-session', profile: 'prod-admin' });
  });
});
