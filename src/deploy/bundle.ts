/**
 * A function's deployment package: its handler bundled by esbuild into one
 * ES module for the Lambda Node.js runtime, with its source map, zipped so that
 * the same sources always give the same bytes. Lambda reports the SHA-256 of
 * the package it holds (CodeSha256), so an unchanged function is recognised
 * without uploading anything.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FunctionConfig, Project } from '../project/config.js';
import { UsageError } from '../ui/errors.js';

/** The Lambda runtimes deliv deploys to; nodejs20.x reached Lambda's deprecation in 2026, so 22 is the default. */
export const RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
export type NodeRuntime = (typeof RUNTIMES)[number];
export const DEFAULT_RUNTIME: NodeRuntime = 'nodejs22.x';

/** The module Lambda loads: `index.mjs` exporting `handler`, hence the handler setting `index.handler`. */
export const BUNDLE_ENTRY = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';

export interface FunctionPackage {
  /** deliv.yaml key. */
  key: string;
  zip: Uint8Array;
  /** Base64 SHA-256 of the zip, as Lambda's CodeSha256. */
  sha256: string;
  /** Bundle size before zipping, for the plan. */
  bundleBytes: number;
  runtime: NodeRuntime;
}

/** Zip entries get this date: the DOS format has no time zone, so local 1980-01-01 is the same bytes everywhere. */
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);
/** Unix `-rw-r--r--` in the high half of the external attributes: Lambda's runtime user must read the files. */
const READABLE_FILE = (0o100644 << 16) >>> 0;

export function runtimeOf(config: FunctionConfig): NodeRuntime {
  const runtime = config.runtime ?? DEFAULT_RUNTIME;
  if (!(RUNTIMES as readonly string[]).includes(runtime)) {
    throw new UsageError(`runtime \`${runtime}\` is not a Node.js runtime deliv deploys to`, { hint: `use one of ${RUNTIMES.join(', ')}` });
  }
  return runtime as NodeRuntime;
}

/** Bundles and zips one function of the project. */
export async function packageFunction(project: Project, key: string, config: FunctionConfig): Promise<FunctionPackage> {
  const entry = path.resolve(project.root, config.handler);
  if (!existsSync(entry)) {
    throw new UsageError(`functions.${key}.handler: ${config.handler} does not exist`, { hint: `fix the path in ${project.file}`, code: 'FILE_NOT_FOUND' });
  }
  const runtime = runtimeOf(config);
  const { build } = await import('esbuild');
  let output;
  try {
    output = await build({
      entryPoints: [entry],
      outfile: path.join(project.root, '.deliv', 'bundle', key, BUNDLE_ENTRY),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: runtime.replace(/\.x$/, '').replace('nodejs', 'node'),
      // The Node.js runtimes of Lambda provide the AWS SDK v3: bundling it would only grow the package.
      external: ['@aws-sdk/*'],
      sourcemap: 'linked',
      sourcesContent: false,
      // CommonJS dependencies call require(); an ES module has none until it makes one.
      banner: { js: "import { createRequire as __delivCreateRequire } from 'node:module'; const require = __delivCreateRequire(import.meta.url);" },
      // Paths in the source map relative to the project, not to this machine.
      sourceRoot: '',
      absWorkingDir: project.root,
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    throw new UsageError(`cannot bundle function \`${key}\`: ${where}${first?.text ?? (error as Error).message.split('\n')[0]}`, { hint: 'fix the handler (`deliv test` runs it locally), then deploy again' });
  }
  const files: Record<string, Uint8Array> = {};
  for (const file of output.outputFiles) files[path.basename(file.path)] = file.contents;
  const zip = await zipDeterministic(files);
  return {
    key,
    zip,
    sha256: createHash('sha256').update(zip).digest('base64'),
    bundleBytes: Object.values(files).reduce((total, contents) => total + contents.length, 0),
    runtime,
  };
}

/** A zip whose bytes depend only on the names and contents: sorted entries, fixed dates and permissions. */
export async function zipDeterministic(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  const { zipSync } = await import('fflate');
  const entries: Record<string, [Uint8Array, { mtime: Date; os: number; attrs: number; level: 9 }]> = {};
  for (const name of Object.keys(files).sort()) entries[name] = [files[name], { mtime: ZIP_EPOCH, os: 3, attrs: READABLE_FILE, level: 9 }];
  return zipSync(entries);
}
