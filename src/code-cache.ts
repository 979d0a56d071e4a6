/**
 * Requires a large CommonJS file through a V8 code cache, so that a CLI run
 * does not compile it again: elkjs's 1.6 MB bundle takes about 250 ms to
 * compile and 2–10 ms to load from its cache; the standalone schema check
 * (src/asl/schema-check.ts) 30 ms and 1 ms. Node 22's module.enableCompileCache
 * does this for every module; Node 20, which deliv supports, has no such thing.
 *
 * The cache is the bytecode V8 gives back for the file (vm.Script's
 * cachedData), kept in a folder of the user's own under the temp dir, one
 * file per (path, size, mtime, Node version, arch). V8 checks it against the
 * source and rejects a stale or damaged one; the file is then compiled as
 * usual and the cache written anew. Any failure to read or write the cache
 * only costs the compile: the module loads all the same.
 *
 * The cache is written when the process exits, so it also holds the
 * functions compiled while the module was used, not only its top level.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** Where caches go: per user, since a cache is code this process will run. */
export function codeCacheDir(): string {
  return path.join(os.tmpdir(), `deliv-code-cache-${process.getuid?.() ?? os.userInfo().username}`);
}

/** A folder of ours only (created private; refused if someone else owns it or can write to it). */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = statSync(dir);
    if (process.getuid && stat.uid !== process.getuid()) return false;
    return (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * `require(specifier)` from `fromUrl` (an `import.meta.url`), through the code
 * cache in `dir`. The module is registered as require would register it, so
 * a later plain require of the same file gets this instance.
 */
export function requireWithCodeCache(fromUrl: string, specifier: string, dir = codeCacheDir()): unknown {
  const requireFrom = createRequire(fromUrl);
  const file = requireFrom.resolve(specifier);
  const loaded = requireFrom.cache[file];
  if (loaded) return loaded.exports;
  const source = readFileSync(file, 'utf8');
  const stat = statSync(file);
  const key = createHash('sha256').update(`${file}\n${stat.size}\n${stat.mtimeMs}\n${process.version}\n${process.arch}`).digest('hex').slice(0, 32);
  const usable = privateDir(dir);
  const cacheFile = path.join(dir, `${key}.bin`);
  let cachedData: Buffer | undefined;
  if (usable) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // No cache yet: compiled below, and written at exit.
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = new Module(file);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(path.dirname(file));
  requireFrom.cache[file] = module;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  } catch (error) {
    delete requireFrom.cache[file];
    throw error;
  }
  module.loaded = true;
  if (usable && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        // Written aside and renamed: a concurrent run never reads half a cache.
        const partial = `${cacheFile}.${process.pid}`;
        writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        renameSync(partial, cacheFile);
      } catch {
        // A cache that cannot be written only means the next run compiles again.
      }
    });
  }
  return module.exports;
}
