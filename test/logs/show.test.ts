/**
 * `deliv logs` as a library call: what it prints for one execution, for a
 * machine's recent executions, as JSON lines, and what it refuses, against
 * the emulator (the local target's endpoint comes from DELIV_LOCAL_ENDPOINT).
 */
import { CreateStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { showLogs, type LogsRequest } from '../../src/logs/show.js';
import type { Project } from '../../src/project/config.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { PARCELS_DEFINITION } from '../helpers/parcels.js';

let t: TestEmulator;
let machineArn: string;
const arns: string[] = [];

const DEFINITION = PARCELS_DEFINITION;

beforeAll(async () => {
  t = await testEmulator();
  vi.stubEnv('DELIV_LOCAL_ENDPOINT', t.emulator.endpoint);
  machineArn = (await t.sfn.send(new CreateStateMachineCommand({ name: 'parcels', roleArn: ROLE, definition: JSON.stringify(DEFINITION) }))).stateMachineArn!;
  for (const [name, ok] of [['first', true], ['second', false]] as const) {
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: JSON.stringify({ ok }) }));
    await finished(t.sfn, executionArn!);
    arns.push(executionArn!);
  }
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
});

async function show(request: Partial<LogsRequest>) {
  const lines: string[] = [];
  const notes: string[] = [];
  const summary = await showLogs({ limit: 10, ...request }, { line: (line) => lines.push(line), write: () => {}, note: (text) => notes.push(text), signal: new AbortController().signal });
  return { lines, notes, summary };
}

describe('showLogs', () => {
  it('prints one execution\'s history, and a hint to explain it when it failed', async () => {
    const { lines, summary } = await show({ subject: arns[1] });
    expect(summary).toEqual({ target: 'local', executions: 1, explained: 0 });
    expect(lines.some((line) => /Check\s.*ChoiceStateEntered/.test(line))).toBe(true);
    expect(lines.some((line) => /ExecutionFailed.*Parcel\.Refused: no route/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe(`hint: deliv explain ${arns[1]}`);
  });

  it('prints a machine\'s recent executions oldest first, each under a header with its status', async () => {
    const { lines, summary } = await show({ subject: 'parcels' });
    expect(summary.executions).toBe(2);
    const headers = lines.filter((line) => line.startsWith('▸ '));
    expect(headers).toEqual([`▸ first  parcels  SUCCEEDED  ${arns[0]}`, `▸ second  parcels  FAILED  ${arns[1]}`]);
  });

  it('gives AWS-shaped events with their execution under --json, and honours --status', async () => {
    const { lines } = await show({ subject: 'parcels', json: true, status: 'FAILED' });
    const events = lines.map((line) => JSON.parse(line));
    expect(new Set(events.map((event) => event.executionArn))).toEqual(new Set([arns[1]]));
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', id: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Parcel.Refused' } });
  });

  it('says so when a machine has no executions, and refuses an unknown execution with its code', async () => {
    await t.sfn.send(new CreateStateMachineCommand({ name: 'idle', roleArn: ROLE, definition: JSON.stringify(DEFINITION) }));
    expect((await show({ subject: 'idle' })).notes).toContain('No executions found (deliv start <machine> starts one).');
    await expect(show({ subject: `${machineArn.replace(':stateMachine:', ':execution:')}:nope` })).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND', exitCode: 2 });
  });

  it('asks for a subject without deliv.yaml, and names the project\'s machines none of which is deployed', async () => {
    await expect(show({})).rejects.toThrow('name an execution ARN or a state machine');
    const project = { file: 'deliv.yaml', root: t.dir, config: { stateMachines: { couriers: {} }, targets: {} } } as unknown as Project;
    await expect(show({ project })).rejects.toMatchObject({ message: 'none of couriers is deployed on this target', code: 'STATE_MACHINE_NOT_DEPLOYED' });
  });
});
