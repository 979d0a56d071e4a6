/** Paths from deliv.yaml and definitions stay inside the project: no `..`, no absolute path, no symlink out. */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insideProject, isWithin } from '../../src/project/confine.js';
import { readItems } from '../../src/local/items.js';
import { LambdaHost } from '../../src/local/lambda.js';
import { startEmulator } from '../../src/local/emulator.js';
import { emulatorPaths } from '../../src/local/paths.js';
import { DelivError } from '../../src/ui/errors.js';
import { tempDir } from '../helpers/cli.js';

let workspace: { dir: string; cleanup: () => void };
let root: string;
let outside: string;

beforeAll(() => {
  workspace = tempDir('deliv-confine-');
  root = path.join(workspace.dir, 'app');
  outside = path.join(workspace.dir, 'app-secrets');
  mkdirSync(path.join(root, 'data'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.json'), '[{"stolen":true}]');
  writeFileSync(path.join(root, 'data/items.json'), '[{"id":1}]');
  symlinkSync(path.join(outside, 'secret.json'), path.join(root, 'data/link.json'));
  symlinkSync(outside, path.join(root, 'escape'));
  symlinkSync(path.join(root, 'data/items.json'), path.join(root, 'data/alias.json'));
});
afterAll(() => workspace.cleanup());

describe('insideProject', () => {
  it('resolves project paths, and links that stay inside', () => {
    expect(insideProject(root, 'data', 'items.json')).toBe(path.join(root, 'data/items.json'));
    expect(insideProject(root, 'data/alias.json')).toBe(path.join(root, 'data/alias.json'));
    expect(insideProject(root, 'data/not-yet-written.json')).toBe(path.join(root, 'data/not-yet-written.json'));
  });

  it('refuses `..`, absolute paths, a sibling folder sharing the prefix, and symlinks out', () => {
    expect(() => insideProject(root, '../app-secrets/secret.json')).toThrow(/`\.\.` leads out/);
    expect(() => insideProject(root, 'data/../../app-secrets/secret.json')).toThrow(/outside the project/);
    expect(() => insideProject(root, '/etc/passwd')).toThrow(/absolute paths are not allowed/);
    expect(() => insideProject(root, 'data/link.json')).toThrow(/symbolic link/);
    expect(() => insideProject(root, 'escape/secret.json')).toThrow(/symbolic link/);
    expect(() => insideProject(root, 'escape/new-file.json')).toThrow(/symbolic link/);
    expect(isWithin(root, outside)).toBe(false);
  });
});

describe('ItemReader over local files', () => {
  const getObject = (Bucket: string, Key: string) => readItems(root, { resource: 'arn:aws:states:::s3:getObject', parameters: { Bucket, Key }, readerConfig: {} } as never);

  it('reads objects of the project', async () => {
    await expect(getObject('data', 'items.json')).resolves.toEqual([{ id: 1 }]);
  });

  it('fails States.ItemReaderFailed for a key or bucket leaving the project, never reading it', async () => {
    for (const [bucket, key] of [['data', '../../app-secrets/secret.json'], ['..', 'app-secrets/secret.json'], ['data', 'link.json'], ['escape', 'secret.json'], ['data', '/etc/hostname']]) {
      await expect(getObject(bucket, key), `${bucket}/${key}`).rejects.toMatchObject({ error: 'States.ItemReaderFailed' });
    }
    const listed = await readItems(root, { resource: 'arn:aws:states:::s3:listObjectsV2', parameters: { Bucket: 'data' }, readerConfig: {} } as never);
    expect(listed.map((item) => (item as { Key: string }).Key)).toEqual(['alias.json', 'items.json']);
    await expect(readItems(root, { resource: 'arn:aws:states:::s3:listObjectsV2', parameters: { Bucket: '../app-secrets' }, readerConfig: {} } as never)).rejects.toMatchObject({ error: 'States.ItemReaderFailed' });
  });
});

describe('handlers named in deliv.yaml', () => {
  it('must be files of the project', async () => {
    const host = new LambdaHost(root, path.join(root, '.deliv/cache/handlers'), { region: 'us-east-1', account: '123456789012' });
    const signal = new AbortController().signal;
    await expect(host.invoke('steal', { handler: '../app-secrets/secret.json' } as never, {}, signal)).rejects.toMatchObject({ error: 'Lambda.ResourceNotFoundException', cause: expect.stringContaining('outside the project') });
    await expect(host.invoke('steal', { handler: 'data/link.json' } as never, {}, signal)).rejects.toMatchObject({ cause: expect.stringContaining('symbolic link') });
  });
});

describe('the handler cache', () => {
  it('is never written through a .deliv folder that links out of the project', async () => {
    const project = path.join(workspace.dir, 'cached');
    const elsewhere = path.join(workspace.dir, 'cache-elsewhere');
    mkdirSync(path.join(project, 'functions'), { recursive: true });
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(project, '.deliv'));
    writeFileSync(path.join(project, 'functions/charge.ts'), 'export const handler = async (): Promise<number> => 42;\n');
    const host = new LambdaHost(project, path.join(project, '.deliv/cache/handlers'), { region: 'us-east-1', account: '123456789012' });
    try {
      await expect(host.invoke('charge', { handler: 'functions/charge.ts' }, {}, new AbortController().signal)).rejects.toMatchObject({
        error: 'States.Runtime',
        cause: expect.stringMatching(/^refusing to write the handler cache \.deliv\/cache\/handlers\/charge-\d+\.(c|m)js: it is a symbolic link to /),
      });
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      await host.close();
    }
  });
});

describe("the emulator's store", () => {
  it('is never opened through a .deliv folder that links out of the project, unless --data-dir names that folder', async () => {
    const project = path.join(workspace.dir, 'stored');
    const elsewhere = path.join(workspace.dir, 'store-elsewhere');
    mkdirSync(project);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(project, '.deliv'));
    await expect(startEmulator({ root: project, port: 0 })).rejects.toThrow(/^refusing to keep the emulator's data in \.deliv: it is a symbolic link to .*store-elsewhere, outside the project$/);
    expect(() => emulatorPaths(undefined, project)).toThrow(DelivError);
    expect(readdirSync(elsewhere)).toEqual([]);
    // Named outright, the folder is the user's choice.
    expect(emulatorPaths(elsewhere, project).dataDir).toBe(elsewhere);
  });

  it('may live in a folder of the project reached through a link that stays inside', () => {
    const project = path.join(workspace.dir, 'linked-inside');
    mkdirSync(path.join(project, 'state'), { recursive: true });
    symlinkSync(path.join(project, 'state'), path.join(project, '.deliv'));
    expect(emulatorPaths(undefined, project).dataDir).toBe(path.join(project, '.deliv'));
  });
});
