/**
 * `deliv local start|status|stop` and `deliv task list|success|failure` as a
 * user runs them: the built CLI, a detached emulator on a random port in a
 * temp project.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalEmulator } from '../../src/local/ensure.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { finished, ROLE, sfnClient } from '../helpers/emulator.js';

const project = tempDir('deliv-e2e-local-');
const cwd = project.dir;

beforeAll(() => {
  mkdirSync(path.join(cwd, 'functions'));
  writeFileSync(path.join(cwd, 'functions/notify.mjs'), "export const handler = async () => 'asked';\n");
  writeFileSync(path.join(cwd, 'deliv.yaml'), 'name: e2e\nstateMachines: {}\nfunctions:\n  notify: { handler: functions/notify.mjs }\n');
});

afterAll(async () => {
  await runCli(['local', 'stop'], { cwd });
  project.cleanup();
});

describe('deliv local', () => {
  it('starts detached, refuses a second emulator on the same data dir, reports status, answers tasks, stops', { timeout: 90_000 }, async () => {
    const started = await runCli(['local', 'start', '--detach', '--port', '0', '--time-scale', '0', '--json'], { cwd });
    expect(started.exitCode, started.stderr).toBe(0);
    const info = JSON.parse(started.stdout) as { pid: number; port: number; endpoint: string; dataDir: string };
    expect(info.endpoint).toBe(`http://127.0.0.1:${info.port}`);
    expect(JSON.parse(readFileSync(path.join(cwd, '.deliv/emulator.json'), 'utf8'))).toMatchObject({ pid: info.pid, port: info.port, host: '127.0.0.1' });

    const second = await runCli(['local', 'start', '--port', '0'], { cwd });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/already serves .* on port/);

    // A callback task waits for its token; `deliv task list` shows it and `deliv task success` answers it.
    const sfn = sfnClient(info.endpoint);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'approval',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Ask',
          States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { 'token.$': '$$.Task.Token' }, End: true } },
        }),
      }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'needs-approval' }));
    // sqs is not served locally: the execution fails at once and says how to mock it.
    const unserved = await finished(sfn, executionArn!);
    expect(unserved.status).toBe('FAILED');
    expect(unserved.cause).toMatch(/Mock it/);

    const lambda = await sfn.send(
      new CreateStateMachineCommand({
        name: 'approval-lambda',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Ask',
          States: {
            Ask: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
              End: true,
            },
          },
        }),
      }),
    );
    const waiting = await sfn.send(new StartExecutionCommand({ stateMachineArn: lambda.stateMachineArn, name: 'waits' }));
    let tasks: { taskToken: string; stateName: string; executionArn: string }[] = [];
    for (let i = 0; i < 100 && tasks.length === 0; i++) {
      const listed = await runCli(['task', 'list', '--json'], { cwd });
      expect(listed.exitCode, listed.stderr).toBe(0);
      tasks = JSON.parse(listed.stdout) as typeof tasks;
    }
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ stateName: 'Ask', executionArn: waiting.executionArn });

    const badOutput = await runCli(['task', 'success', tasks[0].taskToken, '--output', '{nope'], { cwd });
    expect(badOutput.exitCode).toBe(2);
    const answered = await runCli(['task', 'success', tasks[0].taskToken, '--output', '{"approved":true}'], { cwd });
    expect(answered.exitCode, answered.stderr).toBe(0);
    expect(await finished(sfn, waiting.executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '{"approved":true}' });
    const again = await runCli(['task', 'failure', tasks[0].taskToken, '--error', 'Late'], { cwd });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/TaskTimedOut/);
    sfn.destroy();

    const status = await runCli(['local', 'status', '--json'], { cwd });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid: info.pid, port: info.port, machines: 2, runningExecutions: 0 });

    const stopped = await runCli(['local', 'stop'], { cwd });
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout).toMatch(/stopped/);
    expect(existsSync(path.join(cwd, '.deliv/emulator.json'))).toBe(false);
    const after = await runCli(['local', 'status', '--json'], { cwd });
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false });
  });

  it('cleans a stale emulator.json left by a crash', async () => {
    writeFileSync(path.join(cwd, '.deliv/emulator.json'), JSON.stringify({ pid: 2 ** 22 + 12345, port: 1, host: '127.0.0.1', dataDir: path.join(cwd, '.deliv'), startedAt: '' }));
    const status = await runCli(['local', 'status'], { cwd });
    expect(status.stdout).toMatch(/not running/);
    expect(existsSync(path.join(cwd, '.deliv/emulator.json'))).toBe(false);
  });

  it('ensureLocalEmulator starts one in the background once, then reuses it', { timeout: 60_000 }, async () => {
    const first = await ensureLocalEmulator({ root: cwd, port: 0 });
    expect(first.started).toBe(true);
    const second = await ensureLocalEmulator({ root: cwd, port: 0 });
    expect(second).toEqual({ endpoint: first.endpoint, started: false });
    const stopped = await runCli(['local', 'stop'], { cwd });
    expect(stopped.exitCode).toBe(0);
  });
});
