/**
 * DeleteStateMachine of a machine whose execution waits, through the real
 * clients (the AWS CLI v1 and v2, boto3; each skipped with a message where it
 * is not installed): the machine is DELETING, still listed, refuses new work
 * with StateMachineDeleting, and goes once its execution is stopped, as AWS's
 * re:Post article on a machine "stuck in DELETING" tells users to do.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLI_V1, AWS_CLI_V2, awsClientEnv, BOTO3_PYTHON } from '../helpers/aws-clients.js';
import { tempDir } from '../helpers/cli.js';
import { spawnEmulator, type ChildEmulator } from '../helpers/emulator-child.js';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';

const { dir, cleanup } = tempDir('deliv-delete-clients-');
let emulator: ChildEmulator;

beforeAll(async () => {
  emulator = await spawnEmulator(dir, '0');
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  cleanup();
});

/** A parcel waits for a courier (an activity no worker polls here), then is labelled. */
const holdDefinition = (activityArn: string) =>
  JSON.stringify({
    StartAt: 'Hold',
    States: { Hold: { Type: 'Task', Resource: activityArn, Next: 'Label' }, Label: { Type: 'Pass', End: true } },
  });

for (const cli of [
  { label: 'AWS CLI v2', bin: AWS_CLI_V2 },
  { label: 'AWS CLI v1', bin: AWS_CLI_V1 },
]) {
  const present = existsSync(cli.bin);
  describe.skipIf(!present)(`${cli.label} (${cli.bin})`, () => {
    const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
      const { stdout } = await run(cli.bin, ['stepfunctions', ...args, '--endpoint-url', emulator.endpoint, '--output', 'json'], { env: awsClientEnv() });
      return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
    };
    const refused = async (...args: string[]): Promise<string> => {
      try {
        await aws(...args);
      } catch (error) {
        return String((error as { stderr?: string }).stderr).trim();
      }
      throw new Error(`expected aws stepfunctions ${args[0]} to fail`);
    };
    const tag = cli.label.replace(/\W+/g, '');

    it('delete-state-machine leaves it DELETING and listed; start-execution is refused; stop-execution of the one running lets it go', { timeout: 90_000 }, async () => {
      const { activityArn } = await aws('create-activity', '--name', `courier-${tag}`);
      const name = `parcel-hold-${tag}`;
      const { stateMachineArn } = await aws('create-state-machine', '--name', name, '--definition', holdDefinition(String(activityArn)), '--role-arn', ROLE);
      const machine = String(stateMachineArn);
      const { executionArn } = await aws('start-execution', '--state-machine-arn', machine, '--input', '{"parcel":"P-1"}');

      expect(await aws('delete-state-machine', '--state-machine-arn', machine)).toEqual({});
      expect(await aws('describe-state-machine', '--state-machine-arn', machine)).toMatchObject({ stateMachineArn: machine, status: 'DELETING' });
      const listed = async () => ((await aws('list-state-machines')).stateMachines as { stateMachineArn: string }[]).map((item) => item.stateMachineArn);
      expect(await listed()).toContain(machine);
      // The CLI's line, as a user recorded it from AWS for create-state-machine.
      expect(await refused('start-execution', '--state-machine-arn', machine)).toBe('An error occurred (StateMachineDeleting) when calling the StartExecution operation: State Machine is being deleted');
      expect(await refused('create-state-machine', '--name', name, '--definition', holdDefinition(String(activityArn)), '--role-arn', ROLE)).toBe(
        'An error occurred (StateMachineDeleting) when calling the CreateStateMachine operation: State Machine is being deleted',
      );

      const running = (await aws('list-executions', '--state-machine-arn', machine, '--status-filter', 'RUNNING')).executions as { executionArn: string }[];
      expect(running.map((execution) => execution.executionArn)).toEqual([executionArn]);
      await aws('stop-execution', '--execution-arn', String(executionArn));
      let status = 'RUNNING';
      for (let i = 0; i < 100 && status === 'RUNNING'; i++) status = String((await aws('describe-execution', '--execution-arn', String(executionArn))).status);
      expect(status).toBe('ABORTED');
      expect(await refused('describe-state-machine', '--state-machine-arn', machine)).toMatch(/^An error occurred \(StateMachineDoesNotExist\) when calling the DescribeStateMachine operation/);
      expect(await listed()).not.toContain(machine);
    });
  });
  if (!present) it.skip(`${cli.label} is not installed at ${cli.bin}`, () => undefined);
}

describe.skipIf(BOTO3_PYTHON === undefined)('boto3', () => {
  it("raises the modelled StateMachineDeleting while DELETING, and AWS's stuck-in-DELETING script (list RUNNING, stop each) lets the machine go", { timeout: 90_000 }, async () => {
    const script = `
import json, sys, time, boto3
sf = boto3.client('stepfunctions', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='t', aws_secret_access_key='t')
out = {}
activity = sf.create_activity(name='courier-boto3')['activityArn']
definition = json.dumps({'StartAt': 'Hold', 'States': {'Hold': {'Type': 'Task', 'Resource': activity, 'Next': 'Label'}, 'Label': {'Type': 'Pass', 'End': True}}})
arn = sf.create_state_machine(name='parcel-hold-boto3', definition=definition, roleArn=sys.argv[2])['stateMachineArn']
execution = sf.start_execution(stateMachineArn=arn, input='{"parcel": "P-1"}')['executionArn']
sf.delete_state_machine(stateMachineArn=arn)
out['status'] = sf.describe_state_machine(stateMachineArn=arn)['status']
out['listed'] = arn in [m['stateMachineArn'] for m in sf.list_state_machines()['stateMachines']]
try:
    sf.start_execution(stateMachineArn=arn)
except sf.exceptions.StateMachineDeleting as e:
    out['refused'] = e.response['Error']
# What the re:Post article tells a user to do: list the RUNNING executions, stop each.
running = sf.list_executions(stateMachineArn=arn, statusFilter='RUNNING')['executions']
out['running'] = [item['executionArn'] for item in running]
for item in running:
    sf.stop_execution(executionArn=item['executionArn'])
for _ in range(200):
    if sf.describe_execution(executionArn=execution)['status'] != 'RUNNING': break
    time.sleep(0.05)
out['stopped'] = sf.describe_execution(executionArn=execution)['status']
try:
    sf.describe_state_machine(stateMachineArn=arn)
except sf.exceptions.StateMachineDoesNotExist:
    out['gone'] = True
print(json.dumps({**out, 'execution': execution}))
`;
    const { stdout } = await run(BOTO3_PYTHON!, ['-c', script, emulator.endpoint, ROLE], { env: awsClientEnv() });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toEqual({
      status: 'DELETING',
      listed: true,
      refused: { Code: 'StateMachineDeleting', Message: 'State Machine is being deleted' },
      running: [out.execution],
      stopped: 'ABORTED',
      gone: true,
      execution: out.execution,
    });
  });
});
