#!/usr/bin/env node
// `npm run demo`: the main job of deliv on the embedded defaults, step by step, with
// the built CLI exactly as a user runs it. Each step prints what it does; later parts
// (deploy, start, logs, cost, explain) add their steps to the list below.
// It needs no AWS account and no network: everything runs on the embedded emulator,
// which the demo stops at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
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

// Only the local target is used: AWS settings of this shell must not send a call anywhere.
const env = { ...process.env };
for (const key of Object.keys(env)) if (key.startsWith('AWS_') || key === 'DELIV_LOCAL_ENDPOINT') delete env[key];

/** Set once a command may have started the emulator, so that it is stopped however the demo ends. */
let emulatorProject;

/**
 * Runs `deliv ARGS` in `cwd`, echoing the command, and stops the demo when it
 * does not exit with `expected` (0 unless a failure is the point of the step).
 */
function deliv(args, cwd, expected = 0) {
  console.log(`\n$ deliv ${args.join(' ')}${cwd === workspace ? '' : `   (in ${path.relative(workspace, cwd)}/)`}`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, stdio: 'inherit' });
  if (result.status !== expected) {
    console.error(`\ndemo stopped: \`deliv ${args.join(' ')}\` exited with ${result.status}${expected === 0 ? '' : ` (expected ${expected})`}`);
    stopEmulator();
    process.exit(result.status || 1);
  }
}

function stopEmulator() {
  const project = emulatorProject;
  emulatorProject = undefined;
  if (project && existsSync(path.join(project, '.deliv/emulator.json'))) {
    console.log('\n$ deliv local stop');
    spawnSync(process.execPath, [bin, 'local', 'stop'], { cwd: project, env, stdio: 'inherit' });
  }
}
process.on('SIGINT', () => {
  stopEmulator();
  process.exit(130);
});

/** Commands present in this build: cost and explain may land after the rest. */
function hasCommand(id) {
  const manifest = path.join(repo, 'oclif.manifest.json');
  if (existsSync(manifest)) return Boolean(JSON.parse(readFileSync(manifest, 'utf8')).commands?.[id]);
  return spawnSync(process.execPath, [bin, id, '--help'], { env, stdio: 'ignore' }).status === 0;
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

const main = 'order-fulfillment';
const shop = path.join(workspace, main);
// The handlers import @aws-sdk/client-sfn, which a real project gets from `npm install`;
// deliv's own copy stands in for it, so the demo needs no network.
if (!existsSync(path.join(shop, 'node_modules'))) symlinkSync(path.join(repo, 'node_modules'), path.join(shop, 'node_modules'), 'dir');
const events = readdirSync(path.join(shop, 'events', main)).filter((file) => file.endsWith('.json')).sort();
const succeeding = path.join('events', main, events.find((file) => !file.includes('fail')));
const failing = path.join('events', main, events.find((file) => file.includes('card-declined')) ?? events.find((file) => file.includes('fail')));

step(`4. Deploy ${main} to the embedded emulator (started on demand), then again: unchanged`);
emulatorProject = shop;
deliv(['deploy'], shop);
deliv(['deploy'], shop);

step('5. One order that goes through, one that fails (exit code 1)');
deliv(['start', main, '--input', succeeding, '--wait', '--name', 'demo-ok'], shop);
deliv(['start', main, '--input', failing, '--wait', '--name', 'demo-fail'], shop, 1);

step('6. Their logs, and the machines with their latest execution');
deliv(['logs', main, '--limit', '2'], shop);
deliv(['ls'], shop);

step('7. What it would cost on AWS');
if (hasCommand('cost')) deliv(['cost', '--offline'], shop);
else console.log('(`deliv cost` is not in this build yet)');

step('8. Why the failing order failed');
const failedArn = `arn:aws:states:us-east-1:123456789012:execution:${main}:demo-fail`;
if (hasCommand('explain')) deliv(['explain', failedArn, '--offline'], shop);
else console.log(`(\`deliv explain\` is not in this build yet: it will explain ${failedArn})`);

stopEmulator();
console.log(`\nDone. The projects are in ${workspace}`);
