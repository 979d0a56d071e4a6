/**
 * A user's very first run of each template: `deliv init`, no `npm install`,
 * `deliv deploy`, then `deliv start <machine> --input <sample> --wait` for
 * every sample that is meant to succeed. The handlers that import the AWS SDK
 * get the copy deliv ships, as Lambda's Node.js runtime provides its own.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const TEMPLATES = readdirSync(path.join(REPO_ROOT, 'templates'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(REPO_ROOT, 'templates', entry.name, 'template.yaml')))
  .map((entry) => entry.name)
  .sort();
const workspace = tempDir('deliv-e2e-first-run-');
const projects: string[] = [];

afterAll(async () => {
  for (const project of projects) await runCli(['local', 'stop'], { cwd: project });
  workspace.cleanup();
});

// TypeScript handlers (the default) for every template; JavaScript ones too where a handler imports the SDK.
const RUNS = [...TEMPLATES.map((template) => [template, 'ts'] as const), ['order-fulfillment', 'js'] as const];

describe.each(RUNS)('a fresh %s project (%s handlers)', (template, language) => {
  const project = path.join(workspace.dir, `${template}-${language}`);
  const samples = readdirSync(path.join(REPO_ROOT, 'templates', template, 'events')).filter((file) => !file.includes('fail'));

  it(`deploys and runs every sample meant to succeed (${samples.join(', ')}) with no npm install`, { timeout: 60_000 }, async () => {
    const init = await runCli(['init', project, '--yes', '--template', template, '--language', language], { cwd: workspace.dir });
    expect(init.exitCode, init.stderr).toBe(0);
    projects.push(project);
    expect(existsSync(path.join(project, 'node_modules'))).toBe(false);
    const deploy = await runCli(['deploy'], { cwd: project });
    expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
    for (const sample of samples) {
      const run = await runCli(['start', template, '--input', `events/${template}/${sample}`, '--wait'], { cwd: project });
      expect(run.exitCode, `${sample}: ${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/SUCCEEDED/);
    }
  });
});

/** The handler rewritten as CommonJS: `require()` for its imports, `exports.handler` for its export. */
function asCommonJs(source: string): string {
  return source
    .replace(/^import \{([^}]+)\} from '([^']+)';$/gm, (_, names: string, from: string) => `const {${names}} = require('${from}');`)
    .replace(/^export async function handler\(/m, 'exports.handler = async function handler(');
}

describe.each(['js', 'ts'] as const)('a CommonJS handler that requires the AWS SDK (%s)', (language) => {
  const project = path.join(workspace.dir, `commonjs-${language}`);
  const extension = language === 'js' ? 'cjs' : 'cts';

  it(`gets the SDK without npm install, as an ES module handler does (functions/assign-courier.${extension})`, { timeout: 60_000 }, async () => {
    await initProject(project, language);
    const handler = path.join(project, `functions/assign-courier.${language}`);
    const commonJs = asCommonJs(readFileSync(handler, 'utf8'));
    expect(commonJs).toContain("require('@aws-sdk/client-sfn')");
    expect(commonJs).not.toMatch(/^(import|export) /m);
    writeFileSync(handler.replace(/\.[jt]s$/, `.${extension}`), commonJs);
    rmSync(handler);
    const config = path.join(project, 'deliv.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(`functions/assign-courier.${language}`, `functions/assign-courier.${extension}`));
    await deployAndRunOrder(project);
  });
});

describe('a project without "type": "module" whose .ts handler calls require()', () => {
  const project = path.join(workspace.dir, 'untyped-ts');

  it('runs as it would bundled by SAM or CDK (CommonJS): require() and import side by side', { timeout: 60_000 }, async () => {
    await initProject(project, 'ts');
    const manifest = path.join(project, 'package.json');
    const { type, ...untyped } = JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string };
    expect(type).toBe('module');
    writeFileSync(manifest, JSON.stringify(untyped, null, 2));
    const handler = path.join(project, 'functions/assign-courier.ts');
    // Only the SDK import becomes a require(): the handler is still exported the TypeScript way.
    const required = readFileSync(handler, 'utf8').replace(/^import \{([^}]+)\} from '(@aws-sdk\/[^']+)';$/m, (_, names: string, from: string) => `const {${names}} = require('${from}');`);
    expect(required).toContain("require('@aws-sdk/client-sfn')");
    expect(required).toMatch(/^export async function handler\(/m);
    writeFileSync(handler, required);
    await deployAndRunOrder(project);
  });
});

async function initProject(project: string, language: 'js' | 'ts'): Promise<void> {
  const init = await runCli(['init', project, '--yes', '--template', 'order-fulfillment', '--language', language], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  projects.push(project);
}

async function deployAndRunOrder(project: string): Promise<void> {
  const deploy = await runCli(['deploy'], { cwd: project });
  expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
  const run = await runCli(['start', 'order-fulfillment', '--input', 'events/order-fulfillment/order-ok.json', '--wait'], { cwd: project });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(/SUCCEEDED/);
}
