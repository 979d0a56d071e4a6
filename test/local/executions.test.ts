import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  TestStateCommand,
} from '@aws-sdk/client-sfn';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
let cleanup: () => void;

beforeAll(async () => {
  const temp = tempDir('deliv-exec-');
  cleanup = temp.cleanup;
  const root = temp.dir;
  mkdirSync(path.join(root, 'functions'));
  mkdirSync(path.join(root, 'mocks'));
  writeFileSync(
    path.join(root, 'deliv.yaml'),
    [
      'name: demo',
      'stateMachines:',
      '  orders: { definition: orders.asl.json }',
      'functions:',
      '  approve: { handler: functions/approve.ts }',
      '  charge: { handler: functions/charge.mjs }',
      '  flaky: { handler: functions/flaky.mjs }',
      'mocks: mocks/MockConfigFile.json',
      '',
    ].join('\n'),
  );
  // A handler written for AWS: it answers its own callback through the SDK, reaching the emulator via AWS_ENDPOINT_URL_SFN.
  writeFileSync(
    path.join(root, 'functions/approve.ts'),
    [
      "import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';",
      'export async function handler(event: { token: string; amount: number }) {',
      '  setTimeout(() => {',
      '    const sfn = new SFNClient({});',
      '    void sfn.send(new SendTaskSuccessCommand({ taskToken: event.token, output: JSON.stringify({ approved: event.amount < 100 }) })).finally(() => sfn.destroy());',
      '  }, 10);',
      "  return 'queued';",
      '}',
      '',
    ].join('\n'),
  );
  // Fails until the file `fixed` exists: a bug fixed between a failure and its redrive.
  writeFileSync(
    path.join(root, 'functions/flaky.mjs'),
    `import { existsSync } from 'node:fs';\nexport const handler = async () => { if (!existsSync(${JSON.stringify(path.join(root, 'fixed'))})) throw new Error('not yet'); return 'ok'; };\n`,
  );
  writeFileSync(path.join(root, 'functions/charge.mjs'), "export const handler = async (event) => { if (event.fail) throw new TypeError('no card'); return { charged: event.amount }; };\n");
  writeFileSync(
    path.join(root, 'mocks/MockConfigFile.json'),
    JSON.stringify({
      StateMachines: { notify: { TestCases: { Default: { Publish: 'Sent' }, Outage: { Publish: 'Down' } } } },
      MockedResponses: { Sent: { '0': { Return: { MessageId: 'local-1' } } }, Down: { '0': { Throw: { Error: 'SNS.InternalError', Cause: 'mocked outage' } } } },
    }),
  );
  t = await testEmulator({ root });
});

afterAll(async () => {
  await t.close();
  cleanup();
});

async function createMachine(name: string, definition: object, type: 'STANDARD' | 'EXPRESS' = 'STANDARD'): Promise<string> {
  const created = await t.sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, type }));
  return created.stateMachineArn!;
}

const LOOP = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { count: 0 }, Next: 'Add' },
    Add: { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.count, 1)' }, Next: 'Done?' },
    'Done?': { Type: 'Choice', Choices: [{ Variable: '$.count', NumericGreaterThanEquals: 3, Next: 'Wait' }], Default: 'Add' },
    Wait: { Type: 'Wait', Seconds: 1, End: true },
  },
};

describe('executions through the SDK', () => {
  it('runs a STANDARD execution and serves its history (order, pages, data on/off)', async () => {
    const arn = await createMachine('loop', LOOP);
    const { executionArn, startDate } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'first', input: '{"order":1}' }));
    expect(executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:loop:first');
    expect(startDate).toBeInstanceOf(Date);
    const done = await finished(t.sfn, executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"count":3}', input: '{"order":1}', name: 'first' });

    const all = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = all.events!.map((event) => event.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(all.events![0].timestamp).toBeInstanceOf(Date);

    const reversed = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(reversed.events![0].type).toBe('ExecutionSucceeded');
    expect(reversed.nextToken).toBeDefined();
    const paged = [];
    let nextToken: string | undefined;
    do {
      const page = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 4, nextToken }));
      paged.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged.map((event) => event.id)).toEqual(all.events!.map((event) => event.id));

    const noData = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    expect(noData.events![0].executionStartedEventDetails?.input).toBeUndefined();
    expect(noData.events![0].executionStartedEventDetails?.roleArn).toBe(ROLE);

    const forExecution = await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(JSON.parse(forExecution.definition!)).toEqual(LOOP);
  });

  it("applies AWS's name idempotency and lists executions with filters and pages", async () => {
    // A callback nobody answers keeps these executions running (waits are instant at time scale 0).
    const arn = await createMachine('named', {
      StartAt: 'Hold',
      States: { Hold: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'charge', Payload: { amount: 1 } }, End: true } },
    });
    const first = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"a":1}' }));
    const again = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"a":1}' }));
    expect(again.executionArn).toBe(first.executionArn);
    await expect(t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"a":2}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'other' }));
    const stopped = await t.sfn.send(new StopExecutionCommand({ executionArn: first.executionArn, error: 'Operator', cause: 'no longer needed' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'no longer needed' });
    await expect(t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"a":1}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    const running = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }));
    expect(running.executions!.map((execution) => execution.name)).toEqual(['other']);
    const page = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }));
    expect(page.executions).toHaveLength(1);
    const rest = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1, nextToken: page.nextToken }));
    expect(rest.executions![0].name).not.toBe(page.executions![0].name);
  });

  it('runs StartSyncExecution on an EXPRESS machine', async () => {
    const arn = await createMachine('express-loop', LOOP, 'EXPRESS');
    const result = await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{}' }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"count":3}' });
    expect(result.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:express:express-loop:/);
    const failing = await createMachine('express-fail', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Nope', Cause: 'because' } } }, 'EXPRESS');
    expect(await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: failing }))).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'because' });
  });

  it('starts through a version alias and records the version it ran', async () => {
    const created = await t.sfn.send(
      new CreateStateMachineCommand({ name: 'aliased', definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 'v1', End: true } } }), roleArn: ROLE, publish: true }),
    );
    const alias = await t.sfn.send(new CreateStateMachineAliasCommand({ name: 'prod', routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 }] }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: alias.stateMachineAliasArn }));
    const done = await finished(t.sfn, executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '"v1"', stateMachineAliasArn: alias.stateMachineAliasArn, stateMachineVersionArn: created.stateMachineVersionArn });
  });
});

describe('tasks on the emulator', () => {
  it('runs project handlers, and a callback answered by a handler through the SDK', async () => {
    const arn = await createMachine('orders', {
      StartAt: 'Charge',
      States: {
        Charge: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:charge', ResultPath: '$.charge', Next: 'Approve' },
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'approve', Payload: { 'token.$': '$$.Task.Token', 'amount.$': '$.amount' } },
          ResultPath: '$.approval',
          End: true,
        },
      },
    });
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"amount":42}' }));
    const done = await finished(t.sfn, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ amount: 42, charge: { charged: 42 }, approval: { approved: true } });

    const failing = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"amount":1,"fail":true}' }));
    const failed = await finished(t.sfn, failing.executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TypeError' });
    expect(JSON.parse(failed.cause!)).toMatchObject({ errorType: 'TypeError', errorMessage: 'no card' });
  });

  it('serves mocked services by the Default test case or the #TestCase suffix', async () => {
    const arn = await createMachine('notify', {
      StartAt: 'Publish',
      States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { Message: 'hi' }, End: true } },
    });
    const byDefault = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(await finished(t.sfn, byDefault.executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '{"MessageId":"local-1"}' });
    const outage = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}#Outage` }));
    expect(await finished(t.sfn, outage.executionArn!)).toMatchObject({ status: 'FAILED', error: 'SNS.InternalError', cause: 'mocked outage' });
    await expect(t.sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}#NoSuchCase` }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('runs a nested states:startExecution.sync:2 child on the emulator', async () => {
    const child = await createMachine('child', { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, 21)' }, End: true } } });
    const parent = await createMachine('parent', {
      StartAt: 'Run',
      States: {
        Run: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: child, Input: { 'n.$': '$.n' } },
          OutputPath: '$.Output',
          End: true,
        },
      },
    });
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: parent, input: '{"n":21}' }));
    const done = await finished(t.sfn, executionArn!);
    expect(done, done.cause).toMatchObject({ status: 'SUCCEEDED', output: '{"doubled":42}' });
    const children = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: child }));
    expect(children.executions).toHaveLength(1);
  });

  it('runs a distributed Map over a CSV file of the project', async () => {
    mkdirSync(path.join(t.dir, 'data/orders'), { recursive: true });
    writeFileSync(path.join(t.dir, 'data/orders/today.csv'), 'id,city\n7,Leeds\n8,"York, North"\n');
    const arn = await createMachine('fan-out', {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'data', Key: 'orders/today.csv' } },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Label', States: { Label: { Type: 'Pass', Parameters: { 'where.$': '$.city' }, End: true } } },
          End: true,
        },
      },
    });
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const done = await finished(t.sfn, executionArn!);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual([{ where: 'Leeds' }, { where: 'York, North' }]);
  });

  it('redrives a failed execution from the state that failed', async () => {
    const arn = await createMachine('redrive', {
      StartAt: 'First',
      States: {
        First: { Type: 'Pass', Result: 1, ResultPath: '$.first', Next: 'Flaky' },
        Flaky: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:flaky', ResultPath: '$.flaky', End: true },
      },
    });
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', error: 'Error', redriveStatus: 'REDRIVABLE' });
    writeFileSync(path.join(t.dir, 'fixed'), '');
    await t.sfn.send(new RedriveExecutionCommand({ executionArn }));
    const redriven = await finished(t.sfn, executionArn!);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(redriven.output!)).toEqual({ first: 1, flaky: 'ok' });
    // The failed attempt stays in the history, then ExecutionRedriven, then the attempt that succeeded.
    const { events } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const types = events!.map((event) => event.type);
    expect(types.indexOf('ExecutionFailed')).toBeLessThan(types.indexOf('ExecutionRedriven'));
    expect(types.indexOf('ExecutionRedriven')).toBeLessThan(types.indexOf('ExecutionSucceeded'));
    expect(events!.find((event) => event.type === 'ExecutionRedriven')?.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    expect(events!.map((event) => event.id)).toEqual(events!.map((_, index) => index + 1));
    expect(types.filter((type) => type === 'PassStateEntered')).toHaveLength(1);
    await expect(t.sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
  });

  it('tests a single state with TestState', async () => {
    const choice = await t.sfn.send(
      new TestStateCommand({
        definition: JSON.stringify({ Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' }),
        roleArn: ROLE,
        input: '{"n":11}',
      }),
    );
    expect(choice).toMatchObject({ status: 'SUCCEEDED', nextState: 'Big', output: '{"n":11}' });
    const pass = await t.sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, 2)' }, Next: 'After' }), roleArn: ROLE, input: '{"a":1,"b":2}' }));
    expect(pass, pass.cause).toMatchObject({ status: 'SUCCEEDED', nextState: 'After', output: '{"sum":3}' });
    const fail = await t.sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Fail', Error: 'Bad', Cause: 'worse' }), roleArn: ROLE }));
    expect(fail).toMatchObject({ status: 'FAILED', error: 'Bad', cause: 'worse' });
  });

  it('answers TestState with a mock, inspection data and the retry it would make, through the SDK', async () => {
    const definition = JSON.stringify({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'dispatch', 'Payload.$': '$' },
      ResultSelector: { 'courier.$': '$.Payload.courier' },
      Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 3 }],
      Next: 'Notify',
    });
    const ok = await t.sfn.send(new TestStateCommand({ definition, roleArn: ROLE, input: '{"order":1}', inspectionLevel: 'DEBUG', mock: { result: '{"Payload":{"courier":"ana"}}' } }));
    expect(ok).toMatchObject({ status: 'SUCCEEDED', nextState: 'Notify', output: '{"courier":"ana"}', inspectionData: { afterParameters: '{"FunctionName":"dispatch","Payload":{"order":1}}', afterResultSelector: '{"courier":"ana"}' } });
    const throttled = await t.sfn.send(new TestStateCommand({ definition, roleArn: ROLE, mock: { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'slow down' } }, stateConfiguration: { retrierRetryCount: 2 } }));
    expect(throttled).toMatchObject({ status: 'RETRIABLE', error: 'Lambda.TooManyRequestsException', inspectionData: { errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 8 } } });
    await expect(t.sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Parallel', Branches: [], End: true }), roleArn: ROLE }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuses through the SDK a TestState definition with a state name written twice, as CreateStateMachine does', async () => {
    const definition = '{"StartAt":"Pack","States":{"Pack":{"Type":"Pass","Next":"Ship"},"Ship":{"Type":"Succeed"},"Pack":{"Type":"Pass","End":true}}}';
    const refused = { name: 'InvalidDefinition', message: expect.stringContaining('DUPLICATE_STATE_NAME: state name Pack is used twice') };
    await expect(t.sfn.send(new TestStateCommand({ definition, stateName: 'Pack', roleArn: ROLE }))).rejects.toMatchObject(refused);
    await expect(t.sfn.send(new CreateStateMachineCommand({ name: 'packing', definition, roleArn: ROLE }))).rejects.toMatchObject(refused);
  });
});
