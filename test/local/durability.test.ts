/**
 * Nothing acknowledged is lost, nothing completed runs again (issue 13): the
 * emulator is killed (-9) or stopped (SIGTERM) at the awkward moments and
 * started again on the same data dir; each handler run is counted in a file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { stopEmulatorProcess } from '../../src/local/daemon.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { crash, spawnEmulator, startCliEmulator, type ChildEmulator } from '../helpers/emulator-child.js';
import { finished, ROLE, sfnClient } from '../helpers/emulator.js';

const running: ChildEmulator[] = [];
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const emulator of running) if (emulator.child.exitCode === null) emulator.child.kill('SIGKILL');
  for (const cleanup of cleanups) cleanup();
});

/** A project whose handlers append a line per run to runs.log. */
function project(handlers: Record<string, string>): { root: string; runs(): string[] } {
  const { dir: root, cleanup } = tempDir('deliv-durable-');
  cleanups.push(cleanup);
  mkdirSync(path.join(root, 'functions'));
  const log = path.join(root, 'runs.log');
  const functions = Object.keys(handlers).map((name) => `  ${name}: { handler: functions/${name}.mjs }`);
  writeFileSync(path.join(root, 'deliv.yaml'), ['name: durable', 'stateMachines: {}', 'functions:', ...functions, ''].join('\n'));
  for (const [name, body] of Object.entries(handlers)) {
    writeFileSync(path.join(root, `functions/${name}.mjs`), `import { appendFileSync } from 'node:fs';\nconst log = (line) => appendFileSync(${JSON.stringify(log)}, line + '\\n');\n${body}\n`);
  }
  return { root, runs: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []) };
}

async function start(root: string, cli = false): Promise<{ emulator: ChildEmulator; sfn: SFNClient }> {
  const emulator = cli ? await startCliEmulator(root) : await spawnEmulator(root);
  running.push(emulator);
  return { emulator, sfn: sfnClient(emulator.endpoint) };
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const CALLBACK = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'ask', Payload: { 'order.$': '$.order', 'token.$': '$$.Task.Token' } },
      ResultPath: '$.answer',
      Next: 'Done',
    },
    Done: { Type: 'Pass', End: true },
  },
};

describe('callbacks across a crash', () => {
  it('never invokes a .waitForTaskToken Lambda that already ran again, and uses an answer acknowledged just before kill -9', async () => {
    const { root, runs } = project({ ask: "export const handler = async (event) => { log(event.order + ' ' + event.token); return 'asked'; };" });
    let { emulator, sfn } = await start(root);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'approvals', definition: JSON.stringify(CALLBACK), roleArn: ROLE }));
    const arns: string[] = [];
    for (const order of [1, 2]) {
      arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `order-${order}`, input: JSON.stringify({ order }) }))).executionArn!);
    }
    const tokens = await until('both handlers to run', () => {
      const lines = runs();
      return lines.length === 2 ? new Map(lines.map((line) => line.split(' ') as [string, string])) : undefined;
    });
    // Order 2's answer is acknowledged, then the emulator dies before anything else happens.
    await sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('2'), output: '{"approved":2}' }));
    await crash(emulator);
    sfn.destroy();

    ({ emulator, sfn } = await start(root));
    expect(emulator.resumed).toBeGreaterThanOrEqual(1);
    // Order 1 was still waiting: its handler already ran, so the answer to the token it was given completes it.
    await sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('1'), output: '{"approved":1}' }));
    for (const [i, arn] of arns.entries()) {
      const done = await finished(sfn, arn);
      expect({ status: done.status, cause: done.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
      expect(JSON.parse(done.output!)).toEqual({ order: i + 1, answer: { approved: i + 1 } });
    }
    expect(runs()).toHaveLength(2);
    sfn.destroy();
    await crash(emulator);
  });
});

describe('SIGTERM', () => {
  it('exits at once with Waits and callbacks pending, after committing the handler calls in flight', async () => {
    const { root, runs } = project({
      slow: "export const handler = async (event) => { log('start ' + event.order); await new Promise((r) => setTimeout(r, 800)); log('end ' + event.order); return { slow: event.order }; };",
      ask: "export const handler = async (event) => { log('ask ' + event.order); return 'asked'; };",
    });
    // `deliv local start` as users run it, stopped as `deliv local stop` stops it.
    let { emulator, sfn } = await start(root, true);
    const slow = { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:slow', End: true } } };
    const hold = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } };
    const machines = await Promise.all(
      Object.entries({ slow, hold, approvals: CALLBACK }).map(async ([name, definition]) => {
        return (await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
      }),
    );
    const [slowArn] = await Promise.all(machines.map(async (stateMachineArn) => (await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"order":7}' }))).executionArn!));
    await until('the slow handler to start and the callback to be asked', () => (runs().includes('start 7') && runs().includes('ask 7') ? true : undefined));
    // A backup while it runs: the running emulator writes it (it holds the store's lock).
    const backup = await runCli(['local', 'backup', '--json'], { cwd: root });
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(existsSync((JSON.parse(backup.stdout) as { file: string }).file)).toBe(true);

    const how = await stopEmulatorProcess({ pid: emulator.child.pid!, port: 0, host: '127.0.0.1', dataDir: path.join(root, '.deliv'), startedAt: '' });
    expect(how).toBe('stopped');
    expect(await emulator.exited).toBe(0);
    sfn.destroy();

    ({ emulator, sfn } = await start(root));
    const done = await finished(sfn, slowArn);
    expect({ status: done.status, output: done.output }).toEqual({ status: 'SUCCEEDED', output: '{"slow":7}' });
    // The slow handler finished during the stop and was recorded: it did not run again, nor did the callback's.
    expect(runs().filter((line) => line === 'start 7')).toHaveLength(1);
    expect(runs().filter((line) => line === 'ask 7')).toHaveLength(1);
    sfn.destroy();
    await crash(emulator);
  });
});
