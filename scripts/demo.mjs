#!/usr/bin/env node
// `npm run demo`: the main job of deliv on the embedded defaults, step by step, with
// the built CLI exactly as a user runs it. Each step prints what it does; later parts
// (deploy, start, logs, cost, explain) add their steps to the list below.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/run.js');
if (!existsSync(path.join(repo, 'dist'))) {
  console.error('dist/ is missing: run `npm run build` (npm ci does it for you)');
  process.exit(1);
}

const workspace = mkdtempSync(path.join(os.tmpdir(), 'deliv-demo-'));
const templates = readdirSync(path.join(repo, 'templates')).sort();

/** Runs `deliv ARGS` in `cwd`, echoing the command, and stops the demo when it fails. */
function deliv(args, cwd) {
  console.log(`\n$ deliv ${args.join(' ')}${cwd === workspace ? '' : `   (in ${path.relative(workspace, cwd)}/)`}`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\ndemo stopped: \`deliv ${args.join(' ')}\` exited with ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

function step(title) {
  console.log(`\n== ${title}`);
}

console.log(`deliv demo in ${workspace}`);

step('1. The bundled templates');
deliv(['templates'], workspace);

step('2. Scaffold one project per template, check it and render it');
for (const template of templates) {
  deliv(['init', template, '--yes', '--template', template], workspace);
  const project = path.join(workspace, template);
  deliv(['validate'], project);
  deliv(['build'], project);
}

step('3. One project with every template, checked against every target');
deliv(['init', 'all-in-one', '--yes', ...templates.flatMap((template) => ['--template', template]), '--language', 'js'], workspace);
deliv(['validate'], path.join(workspace, 'all-in-one'));

console.log(`\nDone. The projects are in ${workspace}`);
