/**
 * What a new user meets in the first hour, run as they run it: one exit code
 * convention (0 ok, 1 failed, 2 bad usage or input, 130 interrupted), errors
 * that keep their reason, and "did you mean" for typos.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { spawnCli } from '../helpers/spawn-cli.js';

let workspace: { dir: string; cleanup: () => void };
let project: string;
const deliv = (args: string[], env?: Record<string, string>) => runCli(args, { cwd: project, env });

beforeAll(async () => {
  workspace = tempDir('deliv-e2e-first-hour-');
  project = path.join(workspace.dir, 'shop');
  mkdirSync(path.join(project, 'statemachines'), { recursive: true });
  // A machine that waits an hour: still running whenever the user presses Ctrl-C.
  writeFileSync(
    path.join(project, 'statemachines/slow-delivery.asl.yaml'),
    ['StartAt: Nap', 'States:', '  Nap:', '    Type: Wait', '    Seconds: 3600', '    Next: Done', '  Done:', '    Type: Succeed', ''].join('\n'),
  );
  writeFileSync(
    path.join(project, 'deliv.yaml'),
    [
      'name: shop',
      'stateMachines:',
      '  slow-delivery:',
      '    definition: statemachines/slow-delivery.asl.yaml',
      '    type: STANDARD',
      'targets:',
      '  local:',
      '    kind: local',
      '',
    ].join('\n'),
  );
  const started = await deliv(['local', 'start', '--port', '0', '--detach']);
  expect(started.exitCode, started.stderr).toBe(0);
  const deployed = await deliv(['deploy']);
  expect(deployed.exitCode, deployed.stdout + deployed.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

describe('exit codes: 130 when the user interrupts', () => {
  it('start --wait stops following on Ctrl-C, says how to resume, and exits 130', async () => {
    const follower = spawnCli(['start', 'slow-delivery', '--wait'], { cwd: project });
    await follower.waitFor(/WaitStateEntered/);
    expect(await follower.stop('SIGINT')).toBe(130);
    expect(follower.output().stderr).toMatch(/Stopped following; the execution goes on\. Resume with: deliv logs arn:aws:states:\S+ --follow/);
  });

  it('logs --follow ends on Ctrl-C with 130', async () => {
    const follower = spawnCli(['logs', 'slow-delivery', '--follow'], { cwd: project });
    await follower.waitFor(/WaitStateEntered/);
    expect(await follower.stop('SIGINT')).toBe(130);
  });
});
