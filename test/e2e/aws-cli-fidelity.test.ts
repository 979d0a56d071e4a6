/**
 * The checks and APIs of issue 14 through the real clients, as a user types
 * them: the AWS CLI v1 and v2 (`aws stepfunctions ... --endpoint-url`) and
 * boto3, each skipped with a message where it is not installed. The emulator
 * runs in its own process, the clients are spawned asynchronously.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLI_V1, AWS_CLI_V2, awsClientEnv, BOTO3_PYTHON, stepFunctionsCli } from '../helpers/aws-clients.js';
import { tempDir } from '../helpers/cli.js';
import { spawnEmulator, type ChildEmulator } from '../helpers/emulator-child.js';

const run = promisify(execFile);
const CLIS = [
  { label: 'AWS CLI v2', bin: AWS_CLI_V2 },
  { label: 'AWS CLI v1', bin: AWS_CLI_V1 },
];
const PYTHON = BOTO3_PYTHON ?? 'python3';
const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/Other';

const { dir, cleanup } = tempDir('deliv-aws-cli-fidelity-');
let emulator: ChildEmulator;
const env = () => awsClientEnv();

beforeAll(async () => {
  emulator = await spawnEmulator(dir, '0');
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  cleanup();
});

/** A Distributed Map over the input's parcels, each child failing on a parcel with no zone. */
const MAP_MACHINE = JSON.stringify({
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Map',
      ItemsPath: '$.parcels',
      MaxConcurrency: 2,
      ToleratedFailureCount: 1,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'HasZone',
        States: {
          HasZone: { Type: 'Choice', Choices: [{ Variable: '$.zone', IsPresent: true, Next: 'Routed' }], Default: 'NoZone' },
          Routed: { Type: 'Pass', End: true },
          NoZone: { Type: 'Fail', Error: 'Parcel.NoZone' },
        },
      },
      End: true,
    },
  },
});

/** A parcel waits for a courier (an activity no worker polls here), then is labelled. */
const holdDefinition = (activityArn: string) =>
  JSON.stringify({
    StartAt: 'Hold',
    States: { Hold: { Type: 'Task', Resource: activityArn, Next: 'Label' }, Label: { Type: 'Pass', End: true } },
  });

for (const cli of CLIS) {
  const present = existsSync(cli.bin);
  describe.skipIf(!present)(`${cli.label} (${cli.bin})`, () => {
    const { aws, refused } = stepFunctionsCli(cli.bin, () => emulator.endpoint);
    const tag = cli.label.replace(/\W+/g, '');

    it('create-state-machine is idempotent by definition and configuration, not by role', { timeout: 60_000 }, async () => {
      const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
      const first = await aws('create-state-machine', '--name', `idem-${tag}`, '--definition', definition, '--role-arn', ROLE);
      const again = await aws('create-state-machine', '--name', `idem-${tag}`, '--definition', definition, '--role-arn', OTHER_ROLE);
      expect(again.stateMachineArn).toBe(first.stateMachineArn);
      expect(await refused('create-state-machine', '--name', `idem-${tag}`, '--definition', definition, '--role-arn', ROLE, '--tracing-configuration', 'enabled=true')).toMatch(/\(StateMachineAlreadyExists\)/);
      expect(await refused('create-state-machine', '--name', 'n'.repeat(81), '--definition', definition, '--role-arn', ROLE)).toMatch(/\(ValidationException\).*Member must have length less than or equal to 80/);
    });

    it('refuses an Express execution in describe-execution and a malformed token in send-task-success, with AWS codes', { timeout: 60_000 }, async () => {
      const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
      const machine = await aws('create-state-machine', '--name', `fast-${tag}`, '--type', 'EXPRESS', '--definition', definition, '--role-arn', ROLE);
      const started = await aws('start-execution', '--state-machine-arn', String(machine.stateMachineArn));
      expect(await refused('describe-execution', '--execution-arn', String(started.executionArn))).toMatch(/\(InvalidArn\).*Resource type not valid in this context: express/);
      expect(await refused('list-executions', '--state-machine-arn', String(machine.stateMachineArn))).toMatch(/\(StateMachineTypeNotSupported\)/);
      expect(await refused('send-task-success', '--task-token', 'not-a-token', '--task-output', '{}')).toMatch(/\(InvalidToken\)/);
    });

    it("validate-state-machine-definition lists AWS's warning codes beside the errors and refuses --max-results 101", { timeout: 60_000 }, async () => {
      const definition = JSON.stringify({
        StartAt: 'Charge',
        States: {
          Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge', OrderId: '$.order.id' }, End: true },
          Orphan: { Type: 'Pass', Result: { 'parcel.$': '$.parcel' }, End: true },
        },
      });
      const found = (await aws('validate-state-machine-definition', '--definition', definition, '--severity', 'WARNING')) as { result: string; diagnostics: { severity: string; code: string; location: string }[] };
      expect(found.result).toBe('FAIL');
      expect(found.diagnostics.map((d) => `${d.severity} ${d.code} ${d.location}`)).toEqual([
        'ERROR MISSING_TRANSITION_TARGET /States/Orphan',
        'WARNING NO_DOLLAR /States/Charge/Parameters/OrderId',
        'WARNING PASS_RESULT_IS_STATIC /States/Orphan/Result',
      ]);
      expect(await refused('validate-state-machine-definition', '--definition', definition, '--max-results', '101')).toMatch(/\(ValidationException\).*Member must have value less than or equal to 100/);
    });

    it('list-map-runs, describe-map-run, list-executions --map-run-arn and update-map-run serve a Distributed Map', { timeout: 90_000 }, async () => {
      const machine = await aws('create-state-machine', '--name', `parcels-${tag}`, '--definition', MAP_MACHINE, '--role-arn', ROLE);
      const input = JSON.stringify({ parcels: [{ zone: 'n' }, {}, { zone: 's' }] });
      const { executionArn } = await aws('start-execution', '--state-machine-arn', String(machine.stateMachineArn), '--input', input);
      let status = 'RUNNING';
      for (let i = 0; i < 100 && status === 'RUNNING'; i++) status = String((await aws('describe-execution', '--execution-arn', String(executionArn))).status);
      expect(status).toBe('SUCCEEDED');
      const runs = (await aws('list-map-runs', '--execution-arn', String(executionArn))).mapRuns as { mapRunArn: string; stateMachineArn: string }[];
      expect(runs).toHaveLength(1);
      expect(runs[0].stateMachineArn).toBe(`${String(machine.stateMachineArn)}/Route`);
      const described = await aws('describe-map-run', '--map-run-arn', runs[0].mapRunArn);
      expect(described).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 2, toleratedFailureCount: 1, executionCounts: { succeeded: 2, failed: 1, total: 3 } });
      const children = (await aws('list-executions', '--map-run-arn', runs[0].mapRunArn)).executions as { executionArn: string; status: string }[];
      expect(children.map((child) => child.status).sort()).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
      const history = (await aws('get-execution-history', '--execution-arn', children[0].executionArn)).events as { type: string }[];
      expect(history[0].type).toBe('ExecutionStarted');
      await aws('update-map-run', '--map-run-arn', runs[0].mapRunArn, '--max-concurrency', '5');
      expect((await aws('describe-map-run', '--map-run-arn', runs[0].mapRunArn)).maxConcurrency).toBe(5);
    });

    it('serves activities: create, describe, list, get-activity-task --worker-name, send-task-heartbeat/success/failure, delete', { timeout: 90_000 }, async () => {
      const { activityArn } = (await aws('create-activity', '--name', `pack-${tag}`)) as { activityArn: string };
      expect(activityArn).toBe(`arn:aws:states:us-east-1:123456789012:activity:pack-${tag}`);
      expect(await aws('describe-activity', '--activity-arn', activityArn)).toMatchObject({ activityArn, name: `pack-${tag}` });
      const listed = (await aws('list-activities')).activities as { activityArn: string }[];
      expect(listed.map((activity) => activity.activityArn)).toContain(activityArn);
      const definition = JSON.stringify({ StartAt: 'Pack', States: { Pack: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 3600, End: true } } });
      const machine = await aws('create-state-machine', '--name', `packing-${tag}`, '--definition', definition, '--role-arn', ROLE);
      const ended = async (executionArn: string) => {
        let described: Record<string, unknown> = {};
        for (let i = 0; i < 100; i++) if ((described = await aws('describe-execution', '--execution-arn', executionArn)).status !== 'RUNNING') break;
        return described;
      };

      const packed = await aws('start-execution', '--state-machine-arn', String(machine.stateMachineArn), '--input', '{"parcel":"P-1"}');
      const task = (await aws('get-activity-task', '--activity-arn', activityArn, '--worker-name', 'packer-1')) as { taskToken: string; input: string };
      expect(JSON.parse(task.input)).toEqual({ parcel: 'P-1' });
      expect(await aws('send-task-heartbeat', '--task-token', task.taskToken)).toEqual({});
      await aws('send-task-success', '--task-token', task.taskToken, '--task-output', '{"box":"B-7"}');
      expect(await ended(String(packed.executionArn))).toMatchObject({ status: 'SUCCEEDED', output: '{"box":"B-7"}' });
      const events = (await aws('get-execution-history', '--execution-arn', String(packed.executionArn))).events as { type: string; activityStartedEventDetails?: { workerName?: string } }[];
      expect(events.map((event) => event.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
      expect(events[3].activityStartedEventDetails).toEqual({ workerName: 'packer-1' });

      const dropped = await aws('start-execution', '--state-machine-arn', String(machine.stateMachineArn), '--input', '{"parcel":"P-2"}');
      const second = (await aws('get-activity-task', '--activity-arn', activityArn, '--worker-name', 'packer-2')) as { taskToken: string };
      await aws('send-task-failure', '--task-token', second.taskToken, '--error', 'Parcel.Crushed', '--cause', 'box too small');
      expect(await ended(String(dropped.executionArn))).toMatchObject({ status: 'FAILED', error: 'Parcel.Crushed', cause: 'box too small' });
      // AWS: TaskTimedOut when "the task associated with the token has already been closed".
      expect(await refused('send-task-success', '--task-token', second.taskToken, '--task-output', '{}')).toMatch(/\(TaskTimedOut\)/);

      expect(await aws('delete-activity', '--activity-arn', activityArn)).toEqual({});
      expect(await refused('describe-activity', '--activity-arn', activityArn)).toMatch(/\(ActivityDoesNotExist\)/);
    });

    it('test-state takes --inspection-level, --mock, --state-name, --variables and --state-configuration', { timeout: 60_000 }, async () => {
      const definition = JSON.stringify({
        QueryLanguage: 'JSONata',
        StartAt: 'Quote',
        States: {
          Quote: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: 'quote', Payload: { zone: '{% $zone %}' } },
            Output: '{% $states.result.Payload %}',
            Retry: [{ ErrorEquals: ['Courier.Busy'], MaxAttempts: 2 }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Manual' }],
            Next: 'Book',
          },
          Book: { Type: 'Succeed' },
          Manual: { Type: 'Succeed' },
        },
      });
      // test-state's endpoint has the host prefix sync- (botocore's model), which 127.0.0.1 cannot take: the documented switch turns it off.
      const testState = async (...args: string[]): Promise<Record<string, unknown>> => {
        const options = { env: awsClientEnv({ AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' }) };
        try {
          return JSON.parse((await run(cli.bin, ['stepfunctions', 'test-state', ...args, '--endpoint-url', emulator.endpoint, '--output', 'json'], options)).stdout) as Record<string, unknown>;
        } catch (error) {
          return { refused: String((error as { stderr?: string }).stderr) };
        }
      };
      const common = ['--definition', definition, '--state-name', 'Quote', '--role-arn', ROLE, '--variables', '{"zone":"north"}'];
      const traced = await testState(...common, '--inspection-level', 'TRACE', '--mock', '{"result":"{\\"Payload\\":{\\"price\\":12}}"}');
      expect(traced).toMatchObject({ status: 'SUCCEEDED', nextState: 'Book', output: '{"price":12}' });
      expect(JSON.parse(String((traced.inspectionData as { afterArguments: string }).afterArguments))).toEqual({ FunctionName: 'quote', Payload: { zone: 'north' } });
      const busy = '{"errorOutput":{"error":"Courier.Busy","cause":"all vans out"}}';
      expect(await testState(...common, '--inspection-level', 'DEBUG', '--mock', busy)).toMatchObject({ status: 'RETRIABLE', error: 'Courier.Busy' });
      const caught = await testState(...common, '--inspection-level', 'DEBUG', '--mock', busy, '--state-configuration', 'retrierRetryCount=2');
      expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Manual', error: 'Courier.Busy', cause: 'all vans out' });
      expect((await testState(...common, '--inspection-level', 'LOUD')).refused).toMatch(/\(ValidationException\).*inspectionLevel/);
    });

    // What AWS's re:Post article on a machine stuck in DELETING tells users to do: list the RUNNING executions, stop each.
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
  it('sees the same answers through boto3 (map runs, idempotency, InvalidArn for Express)', { timeout: 90_000 }, async () => {
    const script = `
import json, sys, time, boto3, botocore
c = boto3.client('stepfunctions', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='t', aws_secret_access_key='t')
out = {}
d = json.dumps({'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'End': True}}})
a = c.create_state_machine(name='boto-idem', definition=d, roleArn='${ROLE}')
b = c.create_state_machine(name='boto-idem', definition=d, roleArn='${OTHER_ROLE}')
out['idempotent'] = a['stateMachineArn'] == b['stateMachineArn']
fast = c.create_state_machine(name='boto-fast', definition=d, roleArn='${ROLE}', type='EXPRESS')
run = c.start_execution(stateMachineArn=fast['stateMachineArn'])
try:
    c.describe_execution(executionArn=run['executionArn'])
except botocore.exceptions.ClientError as e:
    out['express'] = e.response['Error']['Code']
m = c.create_state_machine(name='boto-parcels', definition=sys.argv[2], roleArn='${ROLE}')
e = c.start_execution(stateMachineArn=m['stateMachineArn'], input=json.dumps({'parcels': [{'zone': 'n'}, {'zone': 's'}]}))
for _ in range(200):
    if c.describe_execution(executionArn=e['executionArn'])['status'] != 'RUNNING': break
    time.sleep(0.05)
runs = c.list_map_runs(executionArn=e['executionArn'])['mapRuns']
out['mapRuns'] = len(runs)
out['counts'] = c.describe_map_run(mapRunArn=runs[0]['mapRunArn'])['executionCounts']
out['children'] = len(c.list_executions(mapRunArn=runs[0]['mapRunArn'])['executions'])
print(json.dumps(out))
`;
    const { stdout } = await run(PYTHON, ['-c', script, emulator.endpoint, MAP_MACHINE], { env: env() });
    const out = JSON.parse(stdout) as { idempotent: boolean; express: string; mapRuns: number; counts: Record<string, number>; children: number };
    expect(out).toMatchObject({ idempotent: true, express: 'InvalidArn', mapRuns: 1, children: 2 });
    expect(out.counts).toMatchObject({ succeeded: 2, total: 2, running: 0, pending: 0 });
  });

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
describe.skipIf(BOTO3_PYTHON === undefined)('boto3 against botocore\'s service model', () => {
  /**
   * botocore parses only the members its model names, so a field the emulator sends that the
   * model lacks (or sends with the wrong type) would pass unseen: every 200 body is walked
   * against the operation's output shape here, from the raw response.
   */
  it('TestState (a mocked Map at DEBUG, RETRIABLE, CAUGHT_ERROR), activities and ValidateStateMachineDefinition answer in the model\'s shapes', { timeout: 90_000 }, async () => {
    const script = `
import json, sys, boto3, botocore, botocore.config
c = boto3.client('stepfunctions', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='t', aws_secret_access_key='t', config=botocore.config.Config(inject_host_prefix=False))
problems = []
def walk(shape, value, path):
    t = shape.type_name
    if t == 'structure':
        if not isinstance(value, dict): problems.append(path + ': not an object'); return
        for k, v in value.items():
            if k not in shape.members: problems.append(path + '.' + k + ': not in the model')
            else: walk(shape.members[k], v, path + '.' + k)
        for r in shape.required_members:
            if r not in value: problems.append(path + '.' + r + ': required, missing')
    elif t == 'list':
        if not isinstance(value, list): problems.append(path + ': not a list'); return
        for i, v in enumerate(value): walk(shape.member, v, path + '[' + str(i) + ']')
    elif t == 'string':
        if not isinstance(value, str): problems.append(path + ': not a string')
        elif shape.enum and value not in shape.enum: problems.append(path + ': ' + value + ' not in its enum')
    elif t in ('integer', 'long'):
        if not isinstance(value, int) or isinstance(value, bool): problems.append(path + ': not an integer')
    elif t == 'boolean':
        if not isinstance(value, bool): problems.append(path + ': not a boolean')
    elif t == 'timestamp':
        if not isinstance(value, (int, float)) or isinstance(value, bool): problems.append(path + ': not epoch seconds')
def check(http_response, parsed, model, **kw):
    if http_response.status_code == 200 and http_response.content and model.output_shape is not None:
        walk(model.output_shape, json.loads(http_response.content), model.name)
c.meta.events.register('after-call.stepfunctions', check)
d = json.dumps
out = {}
m = {'Type': 'Map', 'ItemsPath': '$.parcels', 'ItemSelector': {'p.$': '$$.Map.Item.Value'}, 'MaxConcurrency': 2, 'ToleratedFailureCount': 1,
     'ItemProcessor': {'ProcessorConfig': {'Mode': 'DISTRIBUTED', 'ExecutionType': 'STANDARD'}, 'StartAt': 'S', 'States': {'S': {'Type': 'Pass', 'End': True}}}, 'End': True}
r = c.test_state(definition=d(m), input=d({'parcels': ['a', 'b']}), inspectionLevel='DEBUG', mock={'result': '[]'})
out['map'] = {k: r['inspectionData'].get(k) for k in ('afterItemsPath', 'afterItemSelector', 'afterParameters', 'maxConcurrency')}
t = {'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke', 'Parameters': {'FunctionName': 'f'}, 'Retry': [{'ErrorEquals': ['Boom'], 'MaxAttempts': 1}], 'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Hold'}], 'Next': 'Ship'}
out['retriable'] = c.test_state(definition=d(t), inspectionLevel='DEBUG', mock={'errorOutput': {'error': 'Boom', 'cause': 'x'}})['status']
caught = c.test_state(definition=d(t), inspectionLevel='TRACE', mock={'errorOutput': {'error': 'Boom', 'cause': 'x'}}, stateConfiguration={'retrierRetryCount': 1})
out['caught'] = [caught['status'], caught['nextState'], caught['inspectionData']['errorDetails']]
a = c.create_activity(name='boto-pack')['activityArn']
c.describe_activity(activityArn=a); c.list_activities()
sm = c.create_state_machine(name='boto-packing', roleArn='arn:aws:iam::123456789012:role/DelivLocalRole', definition=d({'StartAt': 'Pack', 'States': {'Pack': {'Type': 'Task', 'Resource': a, 'End': True}}}))['stateMachineArn']
ex = c.start_execution(stateMachineArn=sm, input=d({'parcel': 'P-9'}))['executionArn']
task = c.get_activity_task(activityArn=a, workerName='boto-packer')
c.send_task_heartbeat(taskToken=task['taskToken'])
c.send_task_success(taskToken=task['taskToken'], output=d({'box': 'B-1'}))
while c.describe_execution(executionArn=ex)['status'] == 'RUNNING': pass
out['activity'] = [json.loads(task['input']), c.describe_execution(executionArn=ex)['output']]
c.delete_activity(activityArn=a)
v = c.validate_state_machine_definition(definition=d({'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'Result': {'x.$': '$.y'}, 'End': True}}}), severity='WARNING')
out['warnings'] = [x['code'] for x in v['diagnostics']]
out['problems'] = problems
print(json.dumps(out))
`;
    const { stdout } = await run(PYTHON, ['-c', script, emulator.endpoint], { env: env() });
    expect(JSON.parse(stdout)).toEqual({
      map: { afterItemsPath: '["a","b"]', afterItemSelector: '[{"p":"a"},{"p":"b"}]', afterParameters: null, maxConcurrency: 2 },
      retriable: 'RETRIABLE',
      caught: ['CAUGHT_ERROR', 'Hold', { catchIndex: 0 }],
      warnings: ['PASS_RESULT_IS_STATIC'],
      activity: [{ parcel: 'P-9' }, '{"box":"B-1"}'],
      problems: [],
    });
  });
});
if (BOTO3_PYTHON === undefined) it.skip('boto3: no python3 here can import boto3', () => undefined);
