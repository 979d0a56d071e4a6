/* eslint-disable no-control-regex -- these tests look for control characters */
/**
 * Data reaches the terminal unable to drive it: an execution whose state
 * names, cause and output carry escape sequences is shown by `deliv logs` and
 * `deliv start --wait` without any of them, and `--json` keeps the data exact.
 */
import { CreateStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/cli.js';

const ESC = '\u001b';
const TITLE = `${ESC}]0;pwned\u0007`;
const CLEAR = `${ESC}[2J${ESC}[H`;
const CLIPBOARD = `${ESC}]52;c;cm0gLXJmIH4=${ESC}\\`;

let t: TestEmulator;
let executionArn: string;
beforeAll(async () => {
  t = await testEmulator();
  const definition = {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Result: { note: `ok${CLEAR}\u009b1A` }, Next: `Charge${TITLE}` },
      [`Charge${TITLE}`]: { Type: 'Fail', Error: `Card${CLIPBOARD}Declined`, Cause: `declined\r${CLEAR}by the bank\u202e` },
    },
  };
  const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'hostile', definition: JSON.stringify(definition), roleArn: ROLE }));
  const started = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'run-1' }));
  executionArn = started.executionArn!;
  await finished(t.sfn, executionArn);
});
afterAll(() => t?.close());

const deliv = (args: string[]) => runCli(args, { cwd: t.dir, env: { DELIV_LOCAL_ENDPOINT: t.emulator.endpoint } });
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('data in terminal output', () => {
  it('deliv logs shows the state, error, cause and output without their escape sequences', async () => {
    const result = await deliv(['logs', executionArn, '--data']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    // An OSC string goes whole, its text included: nothing of the title it would set is left.
    expect(result.stdout).toMatch(/Charge +FailStateEntered/);
    expect(result.stdout).not.toContain('pwned');
    expect(result.stdout).toContain('declined');
    expect(result.stdout).toContain('by the bank');
    expect(result.stderr).not.toMatch(UNSAFE);
  });

  it('deliv logs --json keeps the data exact, every character a terminal acts on escaped', async () => {
    const result = await deliv(['logs', executionArn, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; executionFailedEventDetails?: { cause?: string } });
    expect(events.find((event) => event.type === 'ExecutionFailed')?.executionFailedEventDetails?.cause).toBe(`declined\r${CLEAR}by the bank\u202e`);
  });

  it('deliv start --wait prints the failure without them', async () => {
    const result = await deliv(['start', 'arn:aws:states:us-east-1:123456789012:stateMachine:hostile', '--wait']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('by the bank');
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stderr).not.toMatch(UNSAFE);
  });
});
