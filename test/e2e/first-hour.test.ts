/**
 * What a new user meets in the first hour, run as they run it: one exit code
 * convention (0 ok, 1 failed, 2 bad usage or input, 130 interrupted), errors
 * that keep their reason, and "did you mean" for typos.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
      'mocks: mocks/MockConfigFile.json',
      'targets:',
      '  local:',
      '    kind: local',
      '  prod:',
      '    kind: aws',
      '    region: eu-west-1',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(project, 'mocks'));
  writeFileSync(path.join(project, 'mocks/MockConfigFile.json'), JSON.stringify({ StateMachines: { 'slow-delivery': { TestCases: { Default: {}, HappyPath: {} } } }, MockedResponses: {} }));
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

/** The first line of stderr (the error) and the second (the hint). */
function errorLines(stderr: string): [string, string] {
  const [message = '', hint = ''] = stderr.trim().split('\n');
  return [message, hint];
}

describe('parse errors keep their whole reason, on one line, exit 2', () => {
  it.each([
    [['cost', '--executions', 'abc'], 'Error: --executions must be an integer of at least 0; got `abc`'],
    [['deploy', '--canary', '150'], 'Error: --canary must be an integer from 0 to 100; got `150`'],
    [['cost', '--executions'], 'Error: --executions needs a value'],
    [['task', 'success'], 'Error: missing argument TOKEN (the task token)'],
    [['logs', '--status', 'FAILD'], 'Error: --status must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE; got `FAILD`'],
  ])('deliv %j', async (args, expected) => {
    const result = await deliv(args);
    expect(result.exitCode).toBe(2);
    const [message, hint] = errorLines(result.stderr);
    expect(message).toBe(expected);
    expect(hint).toContain(`see: deliv ${args[0] === 'task' ? 'task success' : args[0]} --help`);
  });
});

describe('did you mean', () => {
  it('a command: deliv deplyo', async () => {
    const result = await deliv(['deplyo']);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual(['Error: unknown command `deliv deplyo`', 'did you mean `deliv deploy`? (`deliv --help` lists the commands)']);
  });

  it('a command in a topic: deliv local strat', async () => {
    const result = await deliv(['local', 'strat']);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)[1]).toMatch(/^did you mean `deliv local start`\?/);
  });

  it('a flag: deliv deploy --dryrun', async () => {
    const result = await deliv(['deploy', '--dryrun']);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual(['Error: unknown flag --dryrun', 'did you mean --dry-run? (see: deliv deploy --help)']);
  });

  it('a flag value: deliv logs --status FAILD', async () => {
    const result = await deliv(['logs', '--status', 'FAILD']);
    expect(errorLines(result.stderr)[1]).toMatch(/^did you mean --status FAILED\?/);
  });
});

describe('did you mean, for the names of a project', () => {
  it('a state machine not in deliv.yaml is a typo (exit 2), never a missing deploy', async () => {
    const result = await deliv(['start', 'slow-delivry']);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual(['Error: state machine `slow-delivry` is not in deliv.yaml', 'did you mean `slow-delivery`? (known: slow-delivery)']);
    expect(result.stderr).not.toContain('deploy');
  });

  it('a target', async () => {
    const result = await deliv(['start', 'slow-delivery', '--target', 'prdo']);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toEqual(['Error: target `prdo` is not in deliv.yaml', 'did you mean `prod`? (known: local, prod)']);
  });

  it('a MockConfigFile test case, listing the known ones', async () => {
    const result = await deliv(['start', 'slow-delivery', '--test-case', 'HapyPath']);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)[0]).toMatch(/Test case 'HapyPath' is not defined for state machine 'slow-delivery' in the mock config file mocks\/MockConfigFile\.json; did you mean 'HappyPath'\?; known: Default, HappyPath$/);
  });
});

describe('--input that is not an input', () => {
  it.each([
    [['events'], 'Error: --input events is a folder, not a JSON file'],
    [[''], 'Error: --input is empty'],
  ])('deliv start slow-delivery --input %j: one line, exit 2', async ([input], expected) => {
    mkdirSync(path.join(project, 'events'), { recursive: true });
    const result = await deliv(['start', 'slow-delivery', '--input', input]);
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)[0]).toBe(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});

describe('deliv cost --out', () => {
  it('implies --chart', async () => {
    const result = await deliv(['cost', '--offline', '--out', 'cost.svg']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(path.join(project, 'cost.svg'), 'utf8')).toMatch(/^<svg /);
  });
});
