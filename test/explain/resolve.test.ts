/**
 * What `deliv explain` says when there is nothing to explain, as the codes
 * a script reads under --json: no failed execution, an execution that has not
 * failed, a project none of whose machines is deployed.
 */
import { CreateStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFailureContext, resolveFailedExecution } from '../../src/explain/index.js';
import type { Project } from '../../src/project/config.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { PARCELS_DEFINITION } from '../helpers/parcels.js';

let t: TestEmulator;
let machineArn: string;

beforeAll(async () => {
  t = await testEmulator();
  machineArn = (await t.sfn.send(new CreateStateMachineCommand({ name: 'parcels', roleArn: ROLE, definition: JSON.stringify(PARCELS_DEFINITION) }))).stateMachineArn!;
});
afterAll(() => t.close());

const projectOf = (name: string, machines: string[]) => ({ file: 'deliv.yaml', root: t.dir, config: { name, stateMachines: Object.fromEntries(machines.map((machine) => [machine, {}])), targets: {} } }) as unknown as Project;

describe('explain with nothing to explain', () => {
  it('a machine with no failed execution is NO_FAILED_EXECUTION', async () => {
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{"ok":true}' }));
    await finished(t.sfn, executionArn!);
    await expect(resolveFailedExecution(t.sfn, undefined, 'parcels')).rejects.toMatchObject({ code: 'NO_FAILED_EXECUTION', message: 'no failed execution of state machine `parcels`' });
  });

  it('an execution that succeeded is EXECUTION_NOT_FAILED', async () => {
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{"ok":true}', name: 'fine' }));
    await finished(t.sfn, executionArn!);
    await expect(loadFailureContext(t.sfn, executionArn!)).rejects.toMatchObject({ code: 'EXECUTION_NOT_FAILED', message: 'execution fine has not failed' });
  });

  it('a project none of whose machines is deployed is STATE_MACHINE_NOT_DEPLOYED', async () => {
    await expect(resolveFailedExecution(t.sfn, projectOf('shop', ['orders']), undefined)).rejects.toMatchObject({ code: 'STATE_MACHINE_NOT_DEPLOYED' });
  });
});
