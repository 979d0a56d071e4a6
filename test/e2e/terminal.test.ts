/**
 * deliv on a terminal (a pseudo-terminal of a chosen width): history lines of
 * `start --wait` and `logs` fit the width, their data cut with an ellipsis
 * (`--data` shows it whole); the lines that carry an ARN to copy wrap before
 * it, so that it stays whole; `deliv cost` fits its prose and tables;
 * spinners redraw one line in place and leave nothing behind, and never
 * appear under --json or without a terminal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/ui/colors.js';
import { visibleWidth } from '../../src/ui/width.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { KEYS, renderScreen, runCliOnPty } from '../helpers/pty.js';

/* eslint-disable no-control-regex -- what a spinner writes is control sequences */

let workspace: { dir: string; cleanup: () => void };
let project: string;

/** Parcels enough that any terminal has to cut the input. */
const PARCELS = Array.from({ length: 60 }, (_, index) => ({ parcelId: `P-${index}`, postcode: `${7000 + index}` }));

beforeAll(async () => {
  workspace = tempDir('deliv-e2e-terminal-');
  project = path.join(workspace.dir, 'depot');
  mkdirSync(path.join(project, 'statemachines'), { recursive: true });
  mkdirSync(path.join(project, 'events'));
  writeFileSync(
    path.join(project, 'statemachines/route-parcels-to-the-nearest-depot.asl.yaml'),
    ['StartAt: SortParcelsByPostcodeAndWeight', 'States:', '  SortParcelsByPostcodeAndWeight:', '    Type: Pass', '    Next: Done', '  Done:', '    Type: Succeed', ''].join('\n'),
  );
  writeFileSync(path.join(project, 'events/parcels.json'), JSON.stringify({ parcels: PARCELS }));
  // A refusal (its hint names the ARN), a slow one to stop following, an Express one (its ARN printed bare).
  writeFileSync(path.join(project, 'statemachines/parcels-refused.asl.yaml'), ['StartAt: Refuse', 'States:', '  Refuse:', '    Type: Fail', '    Error: Parcel.Refused', '    Cause: no route', ''].join('\n'));
  writeFileSync(path.join(project, 'statemachines/parcels-slow.asl.yaml'), ['StartAt: Hold', 'States:', '  Hold:', '    Type: Wait', '    Seconds: 300', '    End: true', ''].join('\n'));
  writeFileSync(
    path.join(project, 'deliv.yaml'),
    [
      'name: depot',
      'stateMachines:',
      '  route-parcels-to-the-nearest-depot:',
      '    definition: statemachines/route-parcels-to-the-nearest-depot.asl.yaml',
      '    type: STANDARD',
      '  parcels-refused:',
      '    definition: statemachines/parcels-refused.asl.yaml',
      '  parcels-slow:',
      '    definition: statemachines/parcels-slow.asl.yaml',
      '  parcels-express:',
      '    definition: statemachines/route-parcels-to-the-nearest-depot.asl.yaml',
      '    type: EXPRESS',
      '',
    ].join('\n'),
  );
  const started = await runCli(['local', 'start', '--port', '0', '--detach'], { cwd: project });
  expect(started.exitCode, started.stderr).toBe(0);
  // Deployed here, so that the spinner test below sees only its own machine's line change.
  const deployed = await runCli(['deploy', 'parcels-refused', 'parcels-slow', 'parcels-express'], { cwd: project });
  expect(deployed.exitCode, deployed.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (project) await runCli(['local', 'stop'], { cwd: project });
  workspace?.cleanup();
});

/** The history lines (they start with the time) of a terminal's output. */
const eventLines = (output: string) => stripAnsi(output).split(/\r?\n/).filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));

describe('spinners', () => {
  it('redraw one line in place and leave nothing behind (deploy)', async () => {
    const { output, exitCode } = await runCliOnPty(['deploy'], [], { cwd: project, columns: 60 });
    expect(exitCode, output).toBe(0);
    // It did spin: the title, cut to the 60 columns so it never wraps, then erased in place.
    expect(output).toMatch(/\r\u001b\[2K. Deploying route-parcels-to-the-nea/);
    const screen = renderScreen(output, 60).filter(Boolean);
    expect(screen.join('\n')).not.toMatch(/Deploying/);
    expect(screen.filter((line) => line.includes('route-parcels-to-the-nearest-depot created on local'))).toHaveLength(1);
  });

  it('never appear under --json, even on a terminal, nor without a terminal', async () => {
    const json = await runCliOnPty(['deploy', '--json'], [], { cwd: project });
    expect(json.exitCode, json.output).toBe(0);
    expect(json.output).not.toMatch(/Deploying|\u001b\[2K/);
    const piped = await runCli(['deploy'], { cwd: project });
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/Deploying/);
  });
});

describe('history lines fit the terminal', () => {
  it.each([80, 100, 132])('start --wait at %i columns: every line fits, the data cut with an ellipsis', async (columns) => {
    const { output, exitCode } = await runCliOnPty(['start', 'route-parcels-to-the-nearest-depot', '--input', 'events/parcels.json', '--wait'], [], { cwd: project, columns });
    expect(exitCode, output).toBe(0);
    const lines = eventLines(output);
    expect(lines.map((line) => line.split(/\s{2,}/)[2])).toContain('PassStateEntered');
    for (const line of lines) expect(visibleWidth(line), line).toBeLessThanOrEqual(columns);
    // The long state name is cut to its column, so the data after it keeps its place.
    expect(lines.some((line) => line.includes('SortParcelsByPostcode…'))).toBe(true);
    // The columns are as wide as this history needs, so even 80 columns leave the data some room.
    expect(lines.find((line) => line.includes('ExecutionStarted'))).toMatch(/ExecutionStarted {2,}(input )?\{"parcels":\[\{.*…$/);
    if (columns >= 100) expect(lines.filter((line) => /input \{"parcels":\[.*…$/.test(line)).length).toBeGreaterThan(0);
  });

  it('start --wait --data shows every input and output whole', async () => {
    const { output, exitCode } = await runCliOnPty(['start', 'route-parcels-to-the-nearest-depot', '--input', 'events/parcels.json', '--wait', '--data'], [], { cwd: project, columns: 80 });
    expect(exitCode, output).toBe(0);
    const joined = stripAnsi(output).replaceAll(/\r?\n/g, '');
    expect(joined).toContain('SortParcelsByPostcodeAndWeight');
    expect(joined).toContain(JSON.stringify({ parcels: PARCELS }));
  });

  it.each([80, 100])('logs at %i columns: the execution line and every event line fit, with room for data', async (columns) => {
    const { output, exitCode } = await runCliOnPty(['logs', 'route-parcels-to-the-nearest-depot', '--limit', '2'], [], { cwd: project, columns });
    expect(exitCode, output).toBe(0);
    const lines = stripAnsi(output).split(/\r?\n/).filter(Boolean);
    expect(lines.filter((line) => line.startsWith('▸ '))).toHaveLength(2);
    expect(eventLines(output).length).toBeGreaterThan(4);
    for (const line of lines) expect(visibleWidth(line), line).toBeLessThanOrEqual(columns);
    for (const line of eventLines(output).filter((line) => line.includes('ExecutionSucceeded'))) expect(line).toMatch(/ExecutionSucceeded +\S+ {2}(output )?\{"parcels":\[\{.*…$/);
  });

  it('without a terminal, lines keep the fixed trim of the data (nothing to fit)', async () => {
    const piped = await runCli(['start', 'route-parcels-to-the-nearest-depot', '--input', 'events/parcels.json', '--wait'], { cwd: project });
    expect(piped.exitCode, piped.stderr).toBe(0);
    const started = eventLines(piped.stdout).find((line) => line.includes('ExecutionStarted'))!;
    expect(started).toMatch(/input \{"parcels":\[.{60,}…$/);
  });
});

/** The lines of a terminal's output, colour and carriage returns dropped. */
// The terminal echoes a Ctrl-C as ^C where the cursor is: not the program's output.
const outputLines = (output: string) => stripAnsi(output).split(/\r?\n/).map((line) => line.replace(/^.*\r/, '').replace(/^\^C/, ''));
/** An execution's ARN; an Express one also has the execution's name and id (`express:machine:name:id`). */
const EXECUTION_ARN = (machine: string) => new RegExp(`^arn:aws:states:[a-z0-9-]+:\\d{12}:(execution|express):${machine}:[\\w:-]+$`);

describe('an ARN to copy stays whole on a line of its own', () => {
  it.each([80, 100])('start --wait of a failing run at %i columns: `Started` and the explain hint wrap before the ARN', async (columns) => {
    const { output, exitCode } = await runCliOnPty(['start', 'parcels-refused', '--wait'], [], { cwd: project, columns });
    expect(exitCode, output).toBe(1);
    const lines = outputLines(output);
    const started = lines.indexOf('Started');
    expect(started, output).toBeGreaterThanOrEqual(0);
    const arn = lines[started + 1];
    expect(arn).toMatch(EXECUTION_ARN('parcels-refused'));
    // Wider than the terminal, so put on a line of its own, which the terminal alone may fold.
    expect(visibleWidth(`Started ${arn}`)).toBeGreaterThan(columns);
    const hint = lines.indexOf('hint: deliv explain');
    expect(hint, output).toBeGreaterThan(started);
    expect(lines[hint + 1]).toBe(arn);
    for (const line of lines.filter((line) => line !== arn)) expect(visibleWidth(line), line).toBeLessThanOrEqual(columns);
  });

  it('an Express run at 80 columns: its ARN is printed bare, alone on its line', async () => {
    const { output, exitCode } = await runCliOnPty(['start', 'parcels-express', '--input', '{"parcels":[]}'], [], { cwd: project, columns: 80 });
    expect(exitCode, output).toBe(0);
    const lines = outputLines(output).filter(Boolean);
    expect(lines[0]).toMatch(EXECUTION_ARN('parcels-express'));
    expect(lines[1]).toMatch(/^SUCCEEDED in /);
  });

  it('Ctrl-C while following at 80 columns: exit 130, and the "Resume with" command wraps before the ARN', async () => {
    const { output, exitCode } = await runCliOnPty(['start', 'parcels-slow', '--wait'], [{ expect: 'WaitStateEntered', send: KEYS.ctrlC }], { cwd: project, columns: 80 });
    expect(exitCode, output).toBe(130);
    const lines = outputLines(output);
    const arn = lines[lines.indexOf('Started') + 1];
    expect(arn).toMatch(EXECUTION_ARN('parcels-slow'));
    const resume = lines.findIndex((line) => line.startsWith('Stopped following'));
    expect(lines.slice(resume, resume + 3), output).toEqual(['Stopped following; the execution goes on. Resume with: deliv logs', arn, '--follow']);
  }, 60_000);
});

describe('deliv cost on a terminal', () => {
  it.each([80, 100])('at %i columns: the prose wraps and the tables fit, nothing cut but the names', async (columns) => {
    const { output, exitCode } = await runCliOnPty(['cost', '--offline', '--executions', '1000000'], [], { cwd: project, columns });
    expect(exitCode, output).toBe(0);
    const lines = renderScreen(output, 1000);
    for (const line of lines) expect(visibleWidth(line), line).toBeLessThanOrEqual(columns);
    expect(lines.some((line) => line.startsWith('Line item '))).toBe(true);
    const assumption = lines.findIndex((line) => line.startsWith('  - always-free tier'));
    expect(lines[assumption + 1], output).toMatch(/^ {4}\S/);
    // Piped, the same report keeps each assumption on one line.
    const piped = await runCli(['cost', '--offline', '--executions', '1000000'], { cwd: project });
    expect(piped.stdout).toMatch(/^ {2}- always-free tier.*a month$/m);
  });
});
