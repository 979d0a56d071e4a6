// Bundles the built CLI (dist/, as tsc wrote it) into dist/cli/: one entry with
// oclif, every command class and the hooks, plus chunks for what each command
// imports lazily. Most of a run's start-up was Node resolving, reading and
// compiling some 300 separate files (160 for oclif alone); a bundle is a few.
//
// The entry exports the command classes for oclif's `explicit` discovery, keyed
// by the ids oclif's pattern discovery gave them (commands/local/start.js is
// `local:start`), so a new file under src/commands needs no list to be kept.
//
// Every bundled module still sees its own `import.meta.url` (the file tsc wrote),
// so what it finds beside itself (worker entry files, templates, the price
// snapshot, createRequire of elkjs or jsonata) resolves as before; the worker
// entry files themselves run unbundled from dist/.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'cli');
const commandsDir = path.join(dist, 'commands');

/** dist/commands/task/list.js -> ['task:list', that file] */
function commandFiles(folder, topics = []) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return commandFiles(path.join(folder, entry.name), [...topics, entry.name]);
    if (!entry.name.endsWith('.js')) return [];
    const name = entry.name.slice(0, -'.js'.length);
    return [[[...topics, ...(name === 'index' ? [] : [name])].join(':'), path.join(folder, entry.name)]];
  });
}

const commands = commandFiles(commandsDir).sort(([a], [b]) => a.localeCompare(b));
const entry = [
  "export { execute, settings } from '@oclif/core';",
  "export { default as commandNotFound } from './hooks/command-not-found.js';",
  ...commands.map(([, file], index) => `import command${index} from ${JSON.stringify(`./${path.relative(dist, file).split(path.sep).join('/')}`)};`),
  `export const commands = {\n${commands.map(([id], index) => `  ${JSON.stringify(id)}: command${index},`).join('\n')}\n};`,
].join('\n');

/** `import.meta.url` of a dist file, as an expression valid anywhere in dist/cli/. */
const ownUrl = (file) => `new URL(${JSON.stringify(path.relative(outdir, file).split(path.sep).join('/'))}, import.meta.url).href`;

const keepOwnUrl = {
  name: 'keep-own-import-meta-url',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      // Through esbuild's own parser, so that a string that merely spells import.meta.url stays as written.
      const { code } = await transform(source, { define: { 'import.meta.url': '__delivOwnUrl' }, format: 'esm', loader: 'js' });
      return { contents: `const __delivOwnUrl = ${ownUrl(args.path)};\n${code}`, loader: 'js' };
    });
  },
};

// @oclif/core (a CommonJS package, with semver, minimatch, ejs and the rest it requires: 700 KB) is
// what every command loads first. As part of the ES module entry it was compiled on every run (Node 20
// keeps no compiled code of ES modules); as a CommonJS bundle of its own it is required through the V8
// code cache (src/code-cache.ts), and the entry's `import ... from '@oclif/core'` reads its exports.
const OCLIF_BUNDLE = 'oclif-core.cjs';
const OCLIF_SHIM = 'deliv-oclif-core';
const require = createRequire(import.meta.url);
const oclifExports = Object.keys(require('@oclif/core')).filter((name) => name !== 'default' && name !== '__esModule');
const codeCacheModule = path.join(dist, 'code-cache.js');
const { DYNAMIC_IMPORT_NAME } = await import(pathToFileURL(codeCacheModule).href);
const oclifFromCodeCache = {
  name: 'oclif-from-code-cache',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@oclif\/core$/ }, () => ({ path: OCLIF_SHIM, namespace: OCLIF_SHIM }));
    esbuild.onLoad({ filter: /.*/, namespace: OCLIF_SHIM }, () => ({
      // import.meta.url is the chunk's own, in dist/cli/ beside the bundle.
      contents: [
        `import { requireWithCodeCache } from ${JSON.stringify(codeCacheModule)};`,
        `const core = requireWithCodeCache(import.meta.url, './${OCLIF_BUNDLE}');`,
        `export const { ${oclifExports.join(', ')} } = core;`,
      ].join('\n'),
      resolveDir: outdir,
      loader: 'js',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [require.resolve('@oclif/core')],
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: path.join(outdir, OCLIF_BUNDLE),
  external: ['typescript', 'tsx', 'ts-node'],
  // @oclif/core checks, as it loads, that Node satisfies its own engines (>=18): that check alone loads
  // the whole of semver (about 25 million instructions, 3 % of `deliv --version`), and deliv's own
  // engines (^20.19) are narrower anyway. oclif's documented switch for it, set at build time, so
  // that no environment variable leaks into the processes deliv starts.
  define: { 'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"' },
  logLevel: 'warning',
  legalComments: 'none',
});
// oclif loads command files and hooks with import(), which Node 20 cannot run in a code-cached script:
// each becomes the loader's own (see DYNAMIC_IMPORT_NAME in src/code-cache.ts). `import()` not followed
// by `)` is a call; the one "import()" oclif has in a string (an error message) is left as it is.
const oclifBundle = path.join(outdir, OCLIF_BUNDLE);
const oclifSource = readFileSync(oclifBundle, 'utf8');
const dynamicImports = oclifSource.match(/\bimport\((?!\))/g)?.length ?? 0;
if (dynamicImports === 0) {
  console.error(`build-cli: found no import() in ${OCLIF_BUNDLE}: oclif changed how it loads commands; check src/code-cache.ts's ${DYNAMIC_IMPORT_NAME}`);
  process.exit(1);
}
// oclif sorts the manifest's command ids with localeCompare on every run: the first localeCompare of a
// process sets up ICU's collator, 6-8 ms of CPU (a tenth of `node -e 0`), for ids that are lowercase
// ASCII words and colons, which code-unit order sorts the same way.
const COMMAND_SORT = '.sort((a, b) => a.id.localeCompare(b.id))';
const withImports = oclifSource.replace(/\bimport\((?!\))/g, `${DYNAMIC_IMPORT_NAME}(`);
if (!withImports.includes(COMMAND_SORT)) console.warn(`build-cli: oclif no longer sorts commands with ${COMMAND_SORT}: every run pays ICU's collator again`);
writeFileSync(oclifBundle, withImports.replace(COMMAND_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'));
const { metafile } = await build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'index.js', loader: 'js' },
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The ES module build of a package where it has one: a CommonJS package reached by import() is a
  // chunk with a default export only, and `const { X } = await import(...)` would find no X.
  mainFields: ['module', 'main'],
  outdir,
  entryNames: 'index',
  chunkNames: 'chunk-[hash]',
  // better-sqlite3 is a .node addon and esbuild runs its own binary (deploy bundles handlers with it);
  // typescript, tsx and ts-node are what oclif would load for TypeScript sources, which the built CLI never runs.
  external: ['better-sqlite3', 'esbuild', 'typescript', 'tsx', 'ts-node'],
  // oclif and other CommonJS packages call require(); in an ES module it has to be made.
  banner: { js: "import { createRequire as __delivCreateRequire } from 'node:module'; const require = __delivCreateRequire(import.meta.url);" },
  plugins: [keepOwnUrl, oclifFromCodeCache],
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
});

const problems = [];
// The shape esbuild gives a CommonJS module reached only by import(): its named exports are gone.
for (const [file, output] of Object.entries(metafile.outputs)) {
  if (output.exports.length === 1 && output.exports[0] === 'default' && /^export default require_\w+\(\);$/m.test(readFileSync(path.join(root, file), 'utf8'))) {
    problems.push(`${file} is a CommonJS module reached by import() (${Object.keys(output.inputs).at(-1)}): import it statically, or load it with createRequire`);
  }
}
// What every command pays for before it runs: the entry and the chunks it imports statically.
// These packages take tens of milliseconds to load and belong behind an import() on the paths that use them.
const HEAVY = ['yaml', 'string-width', '@aws-sdk/', '@smithy/', 'asl-validator', 'jsonata', 'elkjs', 'better-sqlite3', 'ajv'];
const startup = new Set();
const visit = (file) => {
  if (startup.has(file)) return;
  startup.add(file);
  for (const imported of metafile.outputs[file].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
};
visit(path.relative(root, path.join(outdir, 'index.js')).split(path.sep).join('/'));
const reported = new Set();
for (const file of startup) {
  for (const input of Object.keys(metafile.outputs[file].inputs)) {
    const heavy = HEAVY.find((name) => input.startsWith(`node_modules/${name}`));
    if (!heavy || reported.has(heavy)) continue;
    reported.add(heavy);
    problems.push(`${heavy} is loaded at start-up by every command (${input}, in ${file}): find the static import that reaches it and make it an import()`);
  }
}
if (problems.length > 0) {
  console.error(`build-cli: the bundle would break or slow the CLI:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  process.exit(1);
}
