/**
 * Durability: `kill -9` in the middle of 200 running executions (tasks in
 * flight, Waits pending, callbacks waiting), then a restart on the same data
 * dir. Each execution must reach the end it would have reached without the
 * crash, and no task whose completion was recorded before the kill may run
 * again (a task in flight at the kill runs again: at-least-once).
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { spawnEmulator, type ChildEmulator } from '../helpers/emulator-child.js';
import { finished, ROLE, sfnClient } from '../helpers/emulator.js';

const EXECUTIONS = 200;
const { dir: root, cleanup } = tempDir('deliv-crash-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  cleanup();
});

async function startServer(): Promise<ChildEmulator> {
  const server = await spawnEmulator(root, '1');
  children.push(server.child);
  return server;
}

/** What each kind of execution ends with when nothing goes wrong. */
function expected(input: { id: number; kind: string }): { status: string; output?: unknown; error?: string } {
  const { id, kind } = input;
  if (kind === 'fail') return { status: 'FAILED', error: 'OrderRejected' };
  if (kind === 'callback') return { status: 'SUCCEEDED', output: { id, kind, approval: { approvedFor: id } } };
  return { status: 'SUCCEEDED', output: { ...input, first: `work-${id}-First`, second: `work-${id}-Second` } };
}

const KINDS = ['work', 'wait', 'callback', 'fail'];

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash recovery', () => {
  it('resumes 200 executions after kill -9 without re-running completed tasks', { timeout: 90_000 }, async () => {
    mkdirSync(path.join(root, 'functions'));
    const log = path.join(root, 'invocations.log');
    const tokens = path.join(root, 'tokens.log');
    writeFileSync(path.join(root, 'deliv.yaml'), 'name: crash\nstateMachines: {}\nfunctions:\n  work: { handler: functions/work.mjs, timeoutSeconds: 30 }\n  callback: { handler: functions/callback.mjs }\n');
    writeFileSync(
      path.join(root, 'functions/work.mjs'),
      `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  appendFileSync(${JSON.stringify(log)}, event.id + ':' + event.state + '\\n');
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return 'work-' + event.id + '-' + event.state;
};\n`,
    );
    writeFileSync(
      path.join(root, 'functions/callback.mjs'),
      `import { appendFileSync } from 'node:fs';
export const handler = async (event) => { appendFileSync(${JSON.stringify(tokens)}, event.id + ' ' + event.token + '\\n'); return 'sent'; };\n`,
    );
    const work = (state: string, msPath: string) => ({
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
      Parameters: { 'id.$': '$.id', state, 'ms.$': msPath },
      ResultPath: state === 'First' ? '$.first' : '$.second',
    });
    const definition = {
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.kind', StringEquals: 'callback', Next: 'Approve' },
            { Variable: '$.kind', StringEquals: 'fail', Next: 'Hold' },
          ],
          Default: 'First',
        },
        First: { ...work('First', '$.ms'), Next: 'Pause' },
        Pause: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Second' },
        Second: { ...work('Second', '$.ms'), End: true },
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'callback', Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' } },
          ResultPath: '$.approval',
          Next: 'Tidy',
        },
        Tidy: { Type: 'Pass', InputPath: '$', Parameters: { 'id.$': '$.id', 'kind.$': '$.kind', 'approval.$': '$.approval' }, End: true },
        Hold: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Reject' },
        Reject: { Type: 'Fail', Error: 'OrderRejected', Cause: 'rejected after a pause' },
      },
    };

    let server = await startServer();
    let sfn = sfnClient(server.endpoint);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'crashy', definition: JSON.stringify(definition), roleArn: ROLE }));
    const arns: { arn: string; id: number; kind: string; input: { id: number; kind: string } }[] = [];
    await Promise.all(
      Array.from({ length: EXECUTIONS }, async (_, id) => {
        const kind = KINDS[id % KINDS.length];
        // Work takes 50 ms to 1.5 s and waits 1-2 s, so the kill finds every stage somewhere.
        const input = { id, kind, ms: 50 + ((id * 37) % 1450), wait: 1 + (id % 2) };
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `run-${id}`, input: JSON.stringify(input) }));
        arns.push({ arn: executionArn!, id, kind, input });
      }),
    );
    // The kill comes once work is under way (tasks have run, ten callbacks have their token), however
    // slowly this machine starts the handlers' workers: what is waited for is progress, not a time.
    while (lines(log).length < 20 || lines(tokens).length < 10) await pause(20);
    // Answer a few callbacks before the crash; the rest wait through it.
    const early = lines(tokens).slice(0, 10);
    for (const line of early) {
      const [id, token] = line.split(' ');
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedFor: Number(id) }) }));
    }
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    sfn.destroy();

    // What the store had acknowledged at the kill: every task completion recorded per execution.
    const db = new Database(path.join(root, '.deliv/emulator.db'), { readonly: true });
    const recorded = db
      .prepare("SELECT e.name, h.details FROM history h JOIN executions e ON e.id = h.execution JOIN names t ON t.id = h.type WHERE t.text = 'TaskStateExited'")
      .all() as { name: string; details: string }[];
    const running = (db.prepare("SELECT COUNT(*) AS n FROM executions WHERE status = 'RUNNING'").get() as { n: number }).n;
    db.close();
    const completedBeforeKill = new Set(recorded.map((row) => `${row.name.replace('run-', '')}:${(JSON.parse(row.details) as { name: string }).name}`));
    const invocationsBeforeKill = lines(log).length;
    expect(running).toBeGreaterThan(0);
    appendFileSync(log, '');

    server = await startServer();
    expect(server.resumed).toBe(running);
    sfn = sfnClient(server.endpoint);
    // Callbacks still waiting get their answer now, with the tokens handed out before or after the crash.
    const answered = new Set(early.map((line) => line.split(' ')[0]));
    const callbacks = arns.filter((entry) => entry.kind === 'callback');
    // Until every callback execution got its answer or ended without asking (a failure the checks below show).
    for (let round = 0; callbacks.some((entry) => !answered.has(String(entry.id))); round++) {
      // Handlers queue per function (a warm pool, not a Lambda fleet): some callbacks are asked only after the restart.
      for (const line of lines(tokens)) {
        const [id, token] = line.split(' ');
        if (answered.has(id)) continue;
        answered.add(id);
        await sfn
          .send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedFor: Number(id) }) }))
          .catch((error: Error) => {
            // A token superseded by a resumed task's own is answered through that one.
            if (error.name !== 'TaskTimedOut') throw error;
            answered.delete(id);
          });
      }
      if (round % 20 === 19) {
        for (const entry of callbacks.filter((entry) => !answered.has(String(entry.id)))) {
          if ((await sfn.send(new DescribeExecutionCommand({ executionArn: entry.arn }))).status !== 'RUNNING') answered.add(String(entry.id));
        }
      }
      await pause(100);
    }

    for (const { arn, id, input } of arns) {
      // No deadline of its own: the test's timeout bounds the wait, whatever the machine's speed.
      const done = await finished(sfn, arn, Number.POSITIVE_INFINITY);
      const want = expected(input);
      expect({ id, status: done.status, error: done.error }, done.cause).toEqual({ id, status: want.status, error: want.error });
      if (want.output) expect(JSON.parse(done.output!)).toEqual(want.output);
    }

    const counts = new Map<string, number>();
    for (const line of lines(log)) counts.set(line, (counts.get(line) ?? 0) + 1);
    for (const task of completedBeforeKill) {
      if (task.endsWith(':Approve')) continue;
      expect({ task, runs: counts.get(task) }).toEqual({ task, runs: 1 });
    }
    // Tasks in flight at the kill may run twice, never more.
    for (const [task, runs] of counts) expect({ task, runs: Math.min(runs, 2) }).toEqual({ task, runs });
    expect(invocationsBeforeKill).toBeGreaterThan(0);
    sfn.destroy();
    server.child.kill('SIGTERM');
  });
});
