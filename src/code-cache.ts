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
 *
 * The same folder keeps other results a run can reuse (cacheRead and
 * cacheWrite: the graph's layouts). Every key names what it was made from,
 * so an upgrade or a rebuild writes new files beside the old ones: each write
 * prunes the folder to CACHE_LIMIT_BYTES, dropping the files used longest ago.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
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

/** What the folder may hold: an elkjs cache is 2.6 MB, the asl kit's 0.4 MB, a layout a few KB. */
export const CACHE_LIMIT_BYTES = 48 * 1024 * 1024;
/** A file used within this long keeps the time it was last marked used: one write a day per file, not one a run. */
const MARK_USED_AFTER_MS = 24 * 3600 * 1000;
/** A half-written file (`NAME.PID`) this old was left by a run that died before its rename. */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;

/** The file's modification time is when it was last used: what pruning goes by. */
function markUsed(file: string): void {
  try {
    const now = Date.now();
    if (now - statSync(file).mtimeMs > MARK_USED_AFTER_MS) utimesSync(file, new Date(now), new Date(now));
  } catch {
    // Only pruning looks at it.
  }
}

/**
 * Drops the files used longest ago until the folder holds at most `limit`
 * bytes, and half-written files a dead run left. Another run may prune at
 * the same time: a file already gone is fine.
 */
export function pruneCache(dir: string, limit = CACHE_LIMIT_BYTES): void {
  const now = Date.now();
  const files: Array<{ file: string; size: number; used: number }> = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      if (/\.\d+$/.test(name)) {
        if (now - stat.mtimeMs > ABANDONED_AFTER_MS) unlinkSync(file);
        continue;
      }
      files.push({ file, size: stat.size, used: stat.mtimeMs });
    } catch {
      // Gone meanwhile.
    }
  }
  let total = files.reduce((sum, entry) => sum + entry.size, 0);
  files.sort((a, b) => a.used - b.used);
  for (const entry of files) {
    if (total <= limit) break;
    try {
      unlinkSync(entry.file);
    } catch {
      // Gone meanwhile.
    }
    total -= entry.size;
  }
}

/** Written aside and renamed, so that a concurrent run never reads half a file; then the folder is pruned. */
function writeAtomically(dir: string, file: string, data: string | Uint8Array): void {
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, data, { mode: 0o600 });
  renameSync(partial, file);
  pruneCache(dir);
}

/** Cache files are named by a digest of what they were made from. */
export function cacheKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** The cached text under `name` (a file name made with cacheKey), if there is one and the folder is ours. */
export function cacheRead(name: string, dir = codeCacheDir()): string | undefined {
  if (!privateDir(dir)) return undefined;
  const file = path.join(dir, name);
  try {
    const text = readFileSync(file, 'utf8');
    markUsed(file);
    return text;
  } catch {
    return undefined;
  }
}

/** Keeps `text` under `name` for later runs; a cache that cannot be written costs only the work again. */
export function cacheWrite(name: string, text: string, dir = codeCacheDir()): void {
  if (!privateDir(dir)) return;
  try {
    writeAtomically(dir, path.join(dir, name), text);
  } catch {
    // The next run does the work again.
  }
}

/**
 * What a module loaded here calls instead of `import()`, which on Node 20 fails in a script compiled from
 * a code cache ("A dynamic import callback was not specified": V8's cached script loses the callback Node
 * registered; Node 22 keeps it). A bundle meant to be loaded here has its `import(x)` rewritten to
 * `__delivImport(x)` at build time (scripts/build-cli.mjs). Specifiers are resolved from this file, so
 * they must be absolute (oclif imports command files by their file URL).
 */
export const DYNAMIC_IMPORT_NAME = '__delivImport';
const dynamicImport = (specifier: string): Promise<unknown> => import(specifier);
/** Module.wrap's wrapper, with the dynamic import as a sixth argument. */
const MODULE_WRAPPER_START = `(function (exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT_NAME}) { `;
const MODULE_WRAPPER_END = '\n});';

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
  const key = cacheKey(file, String(stat.size), String(stat.mtimeMs), process.version, process.arch);
  const usable = privateDir(dir);
  const cacheFile = path.join(dir, `${key}.bin`);
  let cachedData: Buffer | undefined;
  if (usable) {
    try {
      cachedData = readFileSync(cacheFile);
      markUsed(cacheFile);
    } catch {
      // No cache yet: compiled below, and written at exit.
    }
  }
  const script = new vm.Script(`${MODULE_WRAPPER_START}${source}${MODULE_WRAPPER_END}`, { filename: file, cachedData });
  const module = new Module(file);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(path.dirname(file));
  requireFrom.cache[file] = module;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string, importModule: typeof dynamicImport) => void;
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file), dynamicImport);
  } catch (error) {
    delete requireFrom.cache[file];
    throw error;
  }
  module.loaded = true;
  if (usable && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        writeAtomically(dir, cacheFile, script.createCachedData());
      } catch {
        // A cache that cannot be written only means the next run compiles again.
      }
    });
  }
  return module.exports;
}
