/**
 * `deliv start` as a library call against the emulator: the result that is
 * its --json document, the lines it prints, and the exit code it implies.
 */
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Project } from '../../src/project/config.js';
import { startCommand, startExitCode, type StartCommandRequest } from '../../src/run/start.js';
import { ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { PARCELS_DEFINITION } from '../helpers/parcels.js';

let t: TestEmulator;

const DEFINITION = PARCELS_DEFINITION;

beforeAll(async () => {
  t = await testEmulator();
  vi.stubEnv('DELIV_LOCAL_ENDPOINT', t.emulator.endpoint);
  await t.sfn.send(new CreateStateMachineCommand({ name: 'parcels', roleArn: ROLE, definition: JSON.stringify(DEFINITION) }));
  await t.sfn.send(new CreateStateMachineCommand({ name: 'quick', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify(DEFINITION) }));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
});

async function start(request: Partial<StartCommandRequest>) {
  const lines: string[] = [];
  const notes: string[] = [];
  const result = await startCommand({ cwd: t.dir, ...request }, { line: (line) => lines.push(line), write: () => {}, note: (text) => notes.push(text) });
  return { result, lines, notes, exitCode: startExitCode(result) };
}

describe('startCommand', () => {
  it('starts a Standard execution and returns at once without --wait', async () => {
    const { result, lines, exitCode } = await start({ machine: 'parcels', input: '{"ok":true}', name: 'no-wait' });
    expect(result).toMatchObject({ executionArn: expect.stringMatching(/:execution:parcels:no-wait$/), type: 'STANDARD', startDate: expect.any(Date) });
    expect(lines).toEqual([`Started ${result.executionArn}`]);
    expect(exitCode).toBe(0);
  });

  it('a name another execution already has is EXECUTION_ALREADY_EXISTS, exit 2', async () => {
    await start({ machine: 'parcels', input: '{"ok":true}', name: 'taken', wait: true });
    await expect(start({ machine: 'parcels', input: '{"ok":true}', name: 'taken' })).rejects.toMatchObject({ code: 'EXECUTION_ALREADY_EXISTS', exitCode: 2 });
  });

  it('with --wait follows it to the end: its history, then status and output', async () => {
    const { result, lines, exitCode } = await start({ machine: 'parcels', input: '{"ok":true}', wait: true });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true,"hub":"LHR"}' });
    expect(lines.some((line) => /Route\s.*PassStateExited/.test(line))).toBe(true);
    expect(lines.slice(-2)).toEqual([expect.stringMatching(/^SUCCEEDED in /), '{"ok":true,"hub":"LHR"}']);
    expect(exitCode).toBe(0);
  });

  it('a failed execution waited for is exit 1, with its error and the Fail state it ended in', async () => {
    const { result, exitCode } = await start({ machine: 'parcels', input: '{"ok":false}', wait: true });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Parcel.Refused', cause: 'no route', failedState: 'Refuse' });
    expect(exitCode).toBe(1);
  });

  it('an Express machine answers with its end, printed after the ARN', async () => {
    const { result, lines, exitCode } = await start({ machine: 'quick', input: '{"ok":false}' });
    expect(result).toMatchObject({ type: 'EXPRESS', status: 'FAILED', error: 'Parcel.Refused', cause: 'no route' });
    expect(lines).toEqual([result.executionArn, expect.stringMatching(/^FAILED in /), 'Parcel.Refused: no route']);
    expect(exitCode).toBe(1);
  });

  it('takes the project\'s only machine, and asks which one when there are several', async () => {
    const project = (names: string[]) => ({ file: 'deliv.yaml', root: t.dir, config: { stateMachines: Object.fromEntries(names.map((name) => [name, {}])), targets: {} } }) as unknown as Project;
    expect((await start({ project: project(['parcels']) })).result.executionArn).toMatch(/:execution:parcels:/);
    await expect(start({ project: project(['parcels', 'quick']) })).rejects.toThrow('which state machine? deliv.yaml has 2: parcels, quick');
    await expect(start({})).rejects.toMatchObject({ message: 'name the state machine to start (no deliv.yaml here)', exitCode: 2 });
  });
});
