#!/usr/bin/env node
/**
 * Fails when src/ breaks the design's arrows or has an import cycle; run by
 * `npm run lint` after ESLint (whose no-restricted-imports states the same
 * arrows for editors, but cannot see dynamic `import()`).
 *
 * The arrows (shared/DESIGN.md): commands -> domain folders -> asl/aws/ui;
 * `engine` imports only `asl` and itself; `asl` imports nothing of deliv;
 * no domain folder imports `commands`; `ui` imports no domain; `aws` imports
 * no domain but `project`; commands make no AWS SDK call (types only).
 *
 * Type-only imports count too: a cycle of types is still two modules that
 * cannot be understood (or moved) one without the other. Dynamic `import()`
 * counts as well, since it is how a cycle gets hidden rather than removed.
 *
 * Usage: node scripts/check-imports.mjs [dir]   (default: src)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

// `import ... from './x.js'`, `export ... from './x.js'`, `import('./x.js')`, `import './x.js'`.
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s+['"](\.[^'"]+)['"]/gm;

export function importGraph(dir) {
  const graph = new Map();
  for (const file of files(dir)) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const targets = new Set();
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      const resolved = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (resolved.startsWith(dir)) targets.add(resolved);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Strongly connected components with more than one module (or a module importing itself): Tarjan's algorithm. */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const found = [];
  const visit = (node) => {
    meta.set(node, { index, low: index, onStack: true });
    index += 1;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!meta.has(next)) {
        visit(next);
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).low);
      } else if (meta.get(next).onStack) {
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).index);
      }
    }
    if (meta.get(node).low === meta.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        meta.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!meta.has(node)) visit(node);
  return found;
}

/** The top folder of `file` under `dir` (`engine`, `asl`, ...), or '' for a file directly in it. */
function layerOf(dir, file) {
  const parts = path.relative(dir, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '';
}

const DOMAINS = ['project', 'engine', 'local', 'deploy', 'logs', 'cost', 'explain', 'graph', 'testing', 'run'];

/** Why an import from layer `from` of layer `to` is against the design, or undefined when it is allowed. */
export function arrowViolation(from, to) {
  if (from === to || from === '' || to === '') return undefined;
  if (from === 'engine' && to !== 'asl') return 'engine imports only asl and itself';
  if (from === 'asl') return 'asl imports nothing of deliv';
  if (to === 'commands') return 'commands import domain folders, never the other way';
  if (from === 'ui' && DOMAINS.includes(to)) return 'ui imports no domain folder';
  // project is the one domain aws may read: the targets' settings in deliv.yaml.
  if (from === 'aws' && DOMAINS.includes(to) && to !== 'project') return 'aws imports no domain folder but project';
  return undefined;
}

export function layerViolations(dir, graph) {
  const found = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const reason = arrowViolation(layerOf(dir, file), layerOf(dir, target));
      if (reason) found.push({ file, target, reason });
    }
  }
  return found;
}

/**
 * Commands parse flags, call the library and render: an SDK call belongs in a
 * domain folder or src/aws. Type-only imports of the SDK's shapes are fine;
 * any other mention of an `@aws-sdk/` module in src/commands is not.
 */
export function sdkInCommands(dir) {
  const found = [];
  const commands = path.join(dir, 'commands');
  for (const file of statSync(commands, { throwIfNoEntry: false })?.isDirectory() ? files(commands) : []) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const withoutTypeImports = text.replace(/^import\s+type\s[^;]*;/gm, '');
    if (/['"]@aws-sdk\//.test(withoutTypeImports)) found.push(file);
  }
  return found;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const graph = importGraph(root);
  const rel = (file) => path.relative(process.cwd(), file);
  const violations = layerViolations(root, graph);
  for (const { file, target, reason } of violations) console.error(`${rel(file)} imports ${rel(target)}: ${reason}`);
  const found = cycles(graph);
  for (const component of found) console.error(`import cycle: ${component.map(rel).join(' ↔ ')}`);
  if (found.length > 0) console.error(`${found.length} import cycle(s): move what both sides need into a module of their own`);
  const sdk = sdkInCommands(root);
  for (const file of sdk) console.error(`${rel(file)} uses the AWS SDK: commands call the library (src/aws, a domain folder), which makes the SDK calls`);
  if (violations.length > 0 || found.length > 0 || sdk.length > 0) process.exitCode = 1;
  else console.log(`imports in ${rel(root) || '.'} follow the design's arrows, no cycles`);
}
