/**
 * The Express template as a new user meets it on the emulator: init, deploy,
 * five runs (succeeding and failing), then logs, ls, explain, graph
 * --execution latest and logs --follow all show those runs, read from the
 * machine's CloudWatch Logs log group.
 */
import { readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { spawnCli } from '../helpers/spawn-cli.js';

const MACHINE = 'parcel-routing';
let workspace: { dir: string; cleanup: () => void };
let project: string;
const deliv = (args: string[]) => runCli(args, { cwd: project });
const runs: { event: string; exitCode: number; arn: string }[] = [];

beforeAll(async () => {
  workspace = tempDir();
  project = path.join(workspace.dir, 'parcels');
  const init = await runCli(['init', project, '--yes', '--template', MACHINE], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  expect((await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0'])).exitCode).toBe(0);
  const deployed = await deliv(['deploy']);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
  expect(deployed.stdout).toContain(`created log group /aws/vendedlogs/states/${MACHINE}-Logs`);
  const events = readdirSync(path.join(project, 'events', MACHINE)).sort();
  for (const event of [...events, events.find((file) => file.includes('ok'))!]) {
    const run = await deliv(['start', MACHINE, '--input', readFileSync(path.join(project, 'events', MACHINE, event), 'utf8')]);
    runs.push({ event, exitCode: run.exitCode, arn: /arn:aws:states:\S+:express:\S+/.exec(run.stdout)![0] });
  }
}, 120_000);

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

describe('Express runs on the emulator', () => {
  it('five runs, some failing', () => {
    expect(runs).toHaveLength(5);
    expect(runs.some((run) => run.exitCode === 0)).toBe(true);
    expect(runs.some((run) => run.exitCode === 1)).toBe(true);
  });

  it('logs shows every run with its history', async () => {
    const logs = await deliv(['logs', MACHINE, '--limit', '10']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    for (const run of runs) expect(logs.stdout).toContain(run.arn);
    expect(logs.stdout).toContain('ExecutionStarted');
    expect(logs.stdout).toContain('ExecutionFailed');
    const one = await deliv(['logs', runs[0].arn, '--json']);
    const types = one.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toMatch(/^Execution(Succeeded|Failed)$/);
  });

  it('ls shows the latest run', async () => {
    const ls = await deliv(['ls', '--json']);
    const machine = (JSON.parse(ls.stdout) as { stateMachines: { name: string; latestExecution?: { executionArn?: string } }[] }).stateMachines.find((entry) => entry.name === MACHINE);
    expect(machine?.latestExecution?.executionArn).toBe(runs.at(-1)!.arn);
  });

  it('explain finds the latest failure and gives its failure context', async () => {
    const failed = [...runs].reverse().find((run) => run.exitCode === 1)!;
    const explained = await deliv(['explain', '--offline', '--json']);
    expect(explained.exitCode, explained.stderr).toBe(0);
    const result = JSON.parse(explained.stdout) as { executionArn: string; context?: { failedState?: string; error?: string } };
    expect(result.executionArn).toBe(failed.arn);
    const prompt = await deliv(['explain', failed.arn, '--show-prompt']);
    expect(prompt.exitCode, prompt.stderr).toBe(0);
    expect(prompt.stdout).toMatch(/ExecutionFailed|error/i);
  });

  it('graph --execution latest draws the latest run', async () => {
    const graph = await deliv(['graph', '--execution', 'latest', '--format', 'mermaid']);
    expect(graph.exitCode, graph.stderr).toBe(0);
    expect(graph.stdout).toContain('RouteParcels');
  });

  it('logs --follow picks up a later run', async () => {
    const follower = spawnCli(['logs', MACHINE, '--follow', '--limit', '1'], { cwd: project });
    await follower.waitFor(/ExecutionSucceeded|ExecutionFailed/);
    const ok = readdirSync(path.join(project, 'events', MACHINE)).find((file) => file.includes('ok'))!;
    const later = await deliv(['start', MACHINE, '--input', readFileSync(path.join(project, 'events', MACHINE, ok), 'utf8'), '--name', 'later-run']);
    expect(later.exitCode, later.stderr).toBe(0);
    await follower.waitFor(/later-run/);
    await follower.stop();
  });
});
