import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheRead, cacheWrite, DYNAMIC_IMPORT_NAME, pruneCache, requireWithCodeCache } from '../../src/code-cache.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const scratch = tempDir('deliv-code-cache-');
afterAll(() => scratch.cleanup());

/** A CommonJS module with some weight to it, and a caller that loads it through the cache in `cacheDir` in a fresh process. */
function fixture(name: string, cacheDir: string): { module: string; run: () => string } {
  const dir = path.join(scratch.dir, name);
  mkdirSync(dir, { recursive: true });
  const module = path.join(dir, 'heavy.cjs');
  const body = Array.from({ length: 300 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join('\n');
  writeFileSync(module, `${body}\nmodule.exports = { sum: (x) => f1(x) + f299(x), dir: __dirname, same: () => require('./heavy.cjs') === module.exports };\n`);
  return { module, run: callerOf(dir, './heavy.cjs', cacheDir, 'console.log(loaded.sum(2), loaded.same());') };
}

/** A script in `dir` that loads `specifier` through the cache in `cacheDir` as `loaded` and runs `use`; run in a fresh process, it prints what `use` prints. */
function callerOf(dir: string, specifier: string, cacheDir: string, use: string): () => string {
  const caller = path.join(dir, 'caller.mts');
  writeFileSync(
    caller,
    `import { requireWithCodeCache } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/code-cache.ts')).href)};\n` +
      `const loaded = requireWithCodeCache(${JSON.stringify(pathToFileURL(caller).href)}, ${JSON.stringify(specifier)}, ${JSON.stringify(cacheDir)});\n` +
      `${use}\n`,
  );
  return () => execFileSync(process.execPath, ['--import', 'tsx', caller], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
}

describe('requireWithCodeCache', () => {
  it('loads a CommonJS module as require does: its exports, its __dirname, one instance', () => {
    const { module } = fixture('plain', path.join(scratch.dir, 'plain-cache'));
    const heavy = requireWithCodeCache(pathToFileURL(module).href, './heavy.cjs', path.join(scratch.dir, 'plain-cache')) as { sum(x: number): number; dir: string; same(): boolean };
    expect(heavy.sum(2)).toBe(3 + 897);
    expect(heavy.dir).toBe(path.dirname(module));
    expect(heavy.same()).toBe(true);
    expect(createRequire(module)('./heavy.cjs')).toBe(heavy);
  });

  it('writes the cache when a run ends, and later runs load from it', () => {
    const cacheDir = path.join(scratch.dir, 'cached-cache');
    const { run } = fixture('cached', cacheDir);
    expect(run()).toBe('900 true');
    const [file] = readdirSync(cacheDir);
    expect(file).toMatch(/^[0-9a-f]{32}\.bin$/);
    const written = readFileSync(path.join(cacheDir, file));
    expect(written.length).toBeGreaterThan(0);
    expect(run()).toBe('900 true');
    // Accepted by V8, so not written again.
    expect(readFileSync(path.join(cacheDir, file)).equals(written)).toBe(true);
  });

  it('gives a module a dynamic import that works when it is loaded from the cache (Node 20 loses import() there)', () => {
    const cacheDir = path.join(scratch.dir, 'import-cache');
    const dir = path.join(scratch.dir, 'import');
    mkdirSync(dir, { recursive: true });
    const other = path.join(dir, 'other.mjs');
    writeFileSync(other, 'export const answer = 42;\n');
    writeFileSync(path.join(dir, 'loads.cjs'), `module.exports = () => ${DYNAMIC_IMPORT_NAME}(${JSON.stringify(pathToFileURL(other).href)}).then((m) => m.answer);\n`);
    const run = callerOf(dir, './loads.cjs', cacheDir, 'console.log(await loaded());');
    expect(run()).toBe('42');
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(run()).toBe('42');
  });

  it('compiles as usual over a damaged cache, and writes a good one', () => {
    const cacheDir = path.join(scratch.dir, 'damaged-cache');
    const { run } = fixture('damaged', cacheDir);
    run();
    const [file] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, file), 'not bytecode');
    expect(run()).toBe('900 true');
    expect(readFileSync(path.join(cacheDir, file), 'utf8')).not.toBe('not bytecode');
  });

  it('keeps no cache in a folder others can write to', () => {
    const cacheDir = path.join(scratch.dir, 'shared-cache');
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(cacheDir, 0o777);
    const { run } = fixture('shared', cacheDir);
    expect(run()).toBe('900 true');
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('the cache folder', () => {
  /** A file of `size` bytes last used `daysAgo` days ago. */
  const file = (dir: string, name: string, size: number, daysAgo: number) => {
    writeFileSync(path.join(dir, name), Buffer.alloc(size));
    const when = new Date(Date.now() - daysAgo * 24 * 3600 * 1000);
    utimesSync(path.join(dir, name), when, when);
  };

  it('is pruned to its limit, the files used longest ago first, with what a dead run half wrote', () => {
    const dir = path.join(scratch.dir, 'pruned');
    mkdirSync(dir, { recursive: true });
    file(dir, 'old.bin', 400, 9);
    file(dir, 'older.bin', 400, 20);
    file(dir, 'recent.bin', 400, 1);
    file(dir, 'new.json', 400, 0);
    file(dir, 'recent.bin.4242', 10, 1);
    pruneCache(dir, 1000);
    expect(readdirSync(dir).sort()).toEqual(['new.json', 'recent.bin']);
  });

  it('keeps a file read back as used: reading it makes it the last to go', () => {
    const dir = path.join(scratch.dir, 'used');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    file(dir, 'a.json', 400, 30);
    file(dir, 'b.json', 400, 2);
    expect(cacheRead('a.json', dir)).toHaveLength(400);
    // Writing prunes: 1,200 bytes over the limit, and b was used longest ago now.
    cacheWrite('c.json', 'x'.repeat(400), dir);
    pruneCache(dir, 1000);
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'c.json']);
    expect(cacheRead('c.json', dir)).toBe('x'.repeat(400));
  });
});
