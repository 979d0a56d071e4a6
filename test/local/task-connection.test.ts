/**
 * Where the `deliv task` commands talk (taskConnection): --endpoint, or the
 * target as every command resolves it; and what `task list` and `task work`
 * say when what they look for is not there.
 */
import { CreateActivityCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workActivity } from '../../src/local/activity-worker.js';
import { answerTask, listWaitingTasks, taskConnection } from '../../src/local/commands.js';
import type { Project } from '../../src/project/config.js';
import { testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
const notes: string[] = [];
const note = (text: string) => notes.push(text);

beforeAll(async () => {
  t = await testEmulator();
  await t.sfn.send(new CreateActivityCommand({ name: 'courier-pickup' }));
});
afterAll(async () => {
  await t.close();
});

describe('taskConnection', () => {
  it('talks to --endpoint as a local emulator', async () => {
    const connection = await taskConnection({ endpoint: t.emulator.endpoint }, note);
    connection.close();
    expect(connection).toMatchObject({ where: t.emulator.endpoint, localEndpoint: t.emulator.endpoint });
  });

  it('resolves --target as every command does: an AWS target has no emulator endpoint, and task list says why it cannot list there', async () => {
    const project = { file: 'deliv.yaml', root: t.dir, config: { name: 'couriers', stateMachines: {}, functions: {}, targets: { prod: { region: 'eu-west-1' } } } } as unknown as Project;
    const connection = await taskConnection({ target: 'prod' }, note, project);
    connection.close();
    expect(connection).toMatchObject({ where: 'target prod', localEndpoint: undefined });
    await expect(listWaitingTasks({ target: 'prod' }, note, project)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^deliv task list reads the local emulator's waiting tokens; target prod is Step Functions itself/) });
  });

  it('lists the tokens waiting on the emulator, and refuses a token the emulator never gave', async () => {
    expect(await listWaitingTasks({ endpoint: t.emulator.endpoint }, note)).toEqual([]);
    await expect(answerTask({ endpoint: t.emulator.endpoint }, { kind: 'heartbeat', token: 'AQ'.padEnd(64, 'x') }, note)).rejects.toMatchObject({ exitCode: 2, hint: 'pass the token exactly as `deliv task list` shows it' });
  });
});

describe('workActivity', () => {
  it('suggests the activity a typo meant', async () => {
    const work = workActivity({ activity: 'courier-pikup', handler: 'functions/pickup.mjs', sfn: t.sfn, where: 'the activities of the emulator', maxTasks: 1, heartbeatSeconds: 10, signal: new AbortController().signal, log: () => {} });
    await expect(work).rejects.toMatchObject({
      message: 'activity `courier-pikup` is not in the activities of the emulator',
      hint: 'did you mean `courier-pickup`? (known: courier-pickup)',
      code: 'ACTIVITY_NOT_FOUND',
    });
  });
});
