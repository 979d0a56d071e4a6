/** deliv build writes its output inside the project only: a `.deliv` or an old output that links out is refused, not written through. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProject } from '../../src/project/check.js';
import { loadProject } from '../../src/project/config.js';
import { tempDir } from '../helpers/cli.js';

let workspace: { dir: string; cleanup: () => void };
let root: string;
let outside: string;

beforeAll(() => {
  workspace = tempDir('deliv-build-');
  root = path.join(workspace.dir, 'shop');
  outside = path.join(workspace.dir, 'outside');
  mkdirSync(path.join(root, 'statemachines'), { recursive: true });
  writeFileSync(path.join(root, 'deliv.yaml'), 'name: shop\nstateMachines:\n  orders: { definition: statemachines/orders.asl.json }\n');
  writeFileSync(path.join(root, 'statemachines/orders.asl.json'), JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }));
});
afterAll(() => workspace.cleanup());
beforeEach(() => {
  rmSync(path.join(root, '.deliv'), { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
  mkdirSync(outside);
});

describe('deliv build', () => {
  it('writes .deliv/build/<machine>.asl.json', () => {
    const { built } = buildProject(loadProject(root), 'local');
    expect(built.map((machine) => machine.machine)).toEqual(['orders']);
    expect(JSON.parse(readFileSync(path.join(root, '.deliv/build/orders.asl.json'), 'utf8'))).toMatchObject({ StartAt: 'Done' });
  });

  it('refuses a .deliv folder that is a symbolic link out of the project, and writes nothing there', () => {
    symlinkSync(outside, path.join(root, '.deliv'));
    expect(() => buildProject(loadProject(root), 'local')).toThrow(/refusing to write \.deliv\/build\/orders\.asl\.json: it is a symbolic link to/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses an output that is a symbolic link to a file elsewhere, and leaves that file as it was', () => {
    mkdirSync(path.join(root, '.deliv/build'), { recursive: true });
    writeFileSync(path.join(outside, 'precious.txt'), 'mine');
    symlinkSync(path.join(outside, 'precious.txt'), path.join(root, '.deliv/build/orders.asl.json'));
    expect(() => buildProject(loadProject(root), 'local')).toThrow(/refusing to write/);
    expect(readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(outside, 'build'))).toBe(false);
  });
});
