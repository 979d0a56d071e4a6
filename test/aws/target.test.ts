import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../src/aws/target.js';
import type { Project } from '../../src/project/config.js';
import { tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
afterEach(() => {
  delete process.env.DELIV_LOCAL_ENDPOINT;
});

const project = (targets: Project['config']['targets'] = { local: { kind: 'local' } }): Project => ({
  root: dir,
  file: path.join(dir, 'deliv.yaml'),
  config: { name: 'shop', stateMachines: {}, targets },
});

describe('resolveTarget for the local emulator', () => {
  it('uses the default port until an emulator says where it listens', () => {
    expect(resolveTarget(project()).endpoint).toBe('http://127.0.0.1:8083');
    mkdirSync(path.join(dir, '.deliv'), { recursive: true });
    writeFileSync(path.join(dir, '.deliv/emulator.json'), JSON.stringify({ pid: 1, port: 40123, host: '127.0.0.1', dataDir: '.deliv', startedAt: '' }));
    expect(resolveTarget(project()).endpoint).toBe('http://127.0.0.1:40123');
  });

  it('lets DELIV_LOCAL_ENDPOINT and a configured endpoint win', () => {
    process.env.DELIV_LOCAL_ENDPOINT = 'http://127.0.0.1:9999';
    expect(resolveTarget(project()).endpoint).toBe('http://127.0.0.1:9999');
    expect(resolveTarget(project({ local: { kind: 'local', endpoint: 'http://127.0.0.1:7777' } })).endpoint).toBe('http://127.0.0.1:7777');
  });

  it('needs a role ARN only from AWS targets', () => {
    const target = resolveTarget(project({ local: { kind: 'local' }, prod: { kind: 'aws', region: 'eu-west-1' } }), { target: 'prod', profile: 'dev' });
    expect(target).toMatchObject({ name: 'prod', local: false, region: 'eu-west-1', profile: 'dev', roleArn: undefined });
  });
});
