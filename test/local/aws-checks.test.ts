/**
 * The emulator's create-time and request checks answer as AWS answers: the
 * codes and messages here are the ones AWS recorded (LocalStack's parity
 * snapshots) or its API reference documents.
 */
import {
  CreateActivityCommand,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  PublishStateMachineVersionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const PASS_V2 = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', Result: 2, End: true } } });
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/SomeoneElse';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('CreateStateMachine idempotency, as documented', () => {
  it('answers a repeat with another roleArn or tags with the existing machine, and does not apply them', async () => {
    const first = await t.sfn.send(new CreateStateMachineCommand({ name: 'idem', definition: PASS, roleArn: ROLE }));
    const again = await t.sfn.send(new CreateStateMachineCommand({ name: 'idem', definition: PASS, roleArn: OTHER_ROLE, tags: [{ key: 'team', value: 'x' }] }));
    expect(again.stateMachineArn).toBe(first.stateMachineArn);
    expect(again.creationDate).toEqual(first.creationDate);
    const started = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: first.stateMachineArn }));
    await finished(t.sfn, started.executionArn!);
    const ran = await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: started.executionArn }));
    expect(ran.roleArn).toBe(ROLE);
  });

  it('refuses the same name with another definition, type or tracing configuration', async () => {
    await t.sfn.send(new CreateStateMachineCommand({ name: 'clash', definition: PASS, roleArn: ROLE }));
    for (const other of [{ definition: PASS_V2 }, { type: 'EXPRESS' as const }, { tracingConfiguration: { enabled: true } }]) {
      const refused = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'clash', definition: PASS, roleArn: ROLE, ...other })));
      expect(refused.name).toBe('StateMachineAlreadyExists');
    }
    // The documented defaults are the same configuration as none at all.
    const defaults = await t.sfn.send(
      new CreateStateMachineCommand({ name: 'clash', definition: PASS, roleArn: ROLE, tracingConfiguration: { enabled: false }, loggingConfiguration: { level: 'OFF', includeExecutionData: false } }),
    );
    expect(defaults.stateMachineArn).toMatch(/:stateMachine:clash$/);
  });

  it('answers a repeat with publish with the version it published, and publishes no other', async () => {
    const first = await t.sfn.send(new CreateStateMachineCommand({ name: 'published', definition: PASS, roleArn: ROLE, publish: true, versionDescription: 'v1' }));
    const again = await t.sfn.send(new CreateStateMachineCommand({ name: 'published', definition: PASS, roleArn: ROLE, publish: true, versionDescription: 'v1' }));
    expect(again.stateMachineVersionArn).toBe(first.stateMachineVersionArn);
    const refused = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'published', definition: PASS, roleArn: ROLE, publish: true, versionDescription: 'other' })));
    expect(refused.name).toBe('StateMachineAlreadyExists');
  });
});

describe('names', () => {
  it('refuses names over 80 characters with the model ValidationException, bad characters with InvalidName', async () => {
    const long = 'a'.repeat(81);
    const tooLong = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: long, definition: PASS, roleArn: ROLE })));
    expect(tooLong).toEqual({ name: 'ValidationException', message: `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80` });
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'a'.repeat(80), definition: PASS, roleArn: ROLE }));
    expect((await rejection(t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: long })))).name).toBe('ValidationException');
    expect((await rejection(t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'a/b' })))).name).toBe('InvalidName');
    expect((await rejection(t.sfn.send(new CreateActivityCommand({ name: long })))).name).toBe('ValidationException');
  });

  it('takes alias names with dots, and refuses digits only or other characters with the recorded pattern message', async () => {
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'aliased', definition: PASS, roleArn: ROLE, publish: true }));
    const routingConfiguration = [{ stateMachineVersionArn: machine.stateMachineVersionArn, weight: 100 }];
    const dotted = await t.sfn.send(new CreateStateMachineAliasCommand({ name: 'prod.v1-blue_2', routingConfiguration }));
    expect(dotted.stateMachineAliasArn).toBe(`${machine.stateMachineArn}:prod.v1-blue_2`);
    expect((await t.sfn.send(new StartExecutionCommand({ stateMachineArn: dotted.stateMachineAliasArn }))).executionArn).toMatch(/:execution:aliased:/);
    for (const name of ['123', 'INVALID ALIAS', 'ALIAS@']) {
      const refused = await rejection(t.sfn.send(new CreateStateMachineAliasCommand({ name, routingConfiguration })));
      expect(refused).toEqual({
        name: 'ValidationException',
        message: `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$`,
      });
    }
  });

  it('words routing refusals as AWS recorded them', async () => {
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'routed', definition: PASS, roleArn: ROLE, publish: true }));
    const v1 = machine.stateMachineVersionArn!;
    const sum = await rejection(t.sfn.send(new CreateStateMachineAliasCommand({ name: 'split', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 70 }] })));
    expect(sum.message).toBe('Sum of routing configuration weights must equal 100. Received: [70]');
    const unqualified = await rejection(t.sfn.send(new CreateStateMachineAliasCommand({ name: 'split', routingConfiguration: [{ stateMachineVersionArn: machine.stateMachineArn, weight: 100 }] })));
    expect(unqualified.message).toBe(`Routing configuration must contain state machine version ARNs. Received: [${machine.stateMachineArn}]`);
    const twice = await rejection(
      t.sfn.send(new CreateStateMachineAliasCommand({ name: 'split', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 50 }, { stateMachineVersionArn: v1, weight: 50 }] })),
    );
    expect(twice.message).toBe(`Routing configuration must contain distinct state machine version ARNs. Received: [${v1}, ${v1}]`);
    const heavy = await rejection(t.sfn.send(new CreateStateMachineAliasCommand({ name: 'split', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 101 }] })));
    expect(heavy.message).toBe("1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100");
  });
});

describe('Express executions and the Standard-only APIs', () => {
  it('refuses an Express execution ARN with InvalidArn and an Express machine in ListExecutions, as AWS answers', async () => {
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'fast', type: 'EXPRESS', definition: PASS, roleArn: ROLE }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn }));
    expect(executionArn).toMatch(/:express:fast:/);
    const invalid = { name: 'InvalidArn', message: "Invalid Arn: 'Resource type not valid in this context: express'" };
    expect(await rejection(t.sfn.send(new DescribeExecutionCommand({ executionArn })))).toEqual(invalid);
    expect(await rejection(t.sfn.send(new GetExecutionHistoryCommand({ executionArn })))).toEqual(invalid);
    expect(await rejection(t.sfn.send(new StopExecutionCommand({ executionArn })))).toEqual(invalid);
    expect(await rejection(t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })))).toEqual(invalid);
    expect(await rejection(t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn })))).toEqual({
      name: 'StateMachineTypeNotSupported',
      message: 'This operation is not supported by this type of state machine',
    });
  });

  it('runs an Express execution past 25,000 history events (that quota is Standard workflows\' only)', async () => {
    // 4 events a turn: 6,300 turns are 25,204 events, where a Standard execution fails at event 25,000.
    const loop = {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 6300, Next: 'Count' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'long-express', type: 'EXPRESS', definition: JSON.stringify(loop), roleArn: ROLE }));
    const result = await t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{"n":0}' }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"n":6300}' });
  });
});

describe('what an Express machine cannot do', () => {
  it('refuses callbacks, .sync and Activities at CreateStateMachine in the words AWS recorded', async () => {
    const cases = [
      { States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish.waitForTaskToken', Parameters: { TopicArn: 't', 'Message.$': '$$.Task.Token' }, End: true } }, StartAt: 'Publish' },
      { States: { StartExecution: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' }, End: true } }, StartAt: 'StartExecution' },
      { States: { ActivityTask: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:pickup', End: true } }, StartAt: 'ActivityTask' },
    ];
    const messages = [];
    for (const definition of cases) {
      messages.push((await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'express-refused', type: 'EXPRESS', definition: JSON.stringify(definition), roleArn: ROLE })))).message);
    }
    expect(messages).toEqual([
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Publish/Resource'",
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at /States/StartExecution/Resource'",
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at /States/ActivityTask/Resource'",
    ]);
  });

  it('refuses the same inside a Standard machine\'s Distributed Map whose children are Express, and takes them in Standard children', async () => {
    const mapOf = (executionType: string) => ({
      StartAt: 'Sort',
      States: {
        Sort: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
            StartAt: 'Pick',
            States: { Pick: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:pick', End: true } },
          },
          End: true,
        },
      },
    });
    const refused = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'express-children', definition: JSON.stringify(mapOf('EXPRESS')), roleArn: ROLE })));
    expect(refused).toEqual({
      name: 'InvalidDefinition',
      message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at /States/Sort/ItemProcessor/States/Pick/Resource'",
    });
    const standard = await t.sfn.send(new CreateStateMachineCommand({ name: 'standard-children', definition: JSON.stringify(mapOf('STANDARD')), roleArn: ROLE }));
    expect(standard.stateMachineArn).toMatch(/:stateMachine:standard-children$/);
  });
});

describe('task tokens', () => {
  it('answers a malformed or unknown token with InvalidToken, and one over 2048 characters with the model ValidationException', async () => {
    for (const taskToken of ['not a token', 'A'.repeat(43)]) {
      expect((await rejection(t.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('InvalidToken');
      expect((await rejection(t.sfn.send(new SendTaskFailureCommand({ taskToken })))).name).toBe('InvalidToken');
      expect((await rejection(t.sfn.send(new SendTaskHeartbeatCommand({ taskToken })))).name).toBe('InvalidToken');
    }
    const long = await rejection(t.sfn.send(new SendTaskSuccessCommand({ taskToken: 'A'.repeat(2049), output: '{}' })));
    expect(long).toEqual({ name: 'ValidationException', message: "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048" });
  });
});

describe('DescribeStateMachineForExecution', () => {
  it('returns the revision the execution ran, dated when that revision became current, not the machine as updated since', async () => {
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'revised', definition: PASS, roleArn: ROLE }));
    const first = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn }));
    await finished(t.sfn, first.executionArn!);
    const before = await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: first.executionArn }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const update = await t.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: machine.stateMachineArn, definition: PASS_V2 }));
    const second = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn }));
    await finished(t.sfn, second.executionArn!);

    const old = await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: first.executionArn }));
    expect(old.definition).toBe(PASS);
    expect(old.revisionId).toBe(before.revisionId);
    expect(old.updateDate).toEqual(machine.creationDate);
    const current = await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: second.executionArn }));
    expect(current.definition).toBe(PASS_V2);
    expect(current.revisionId).toBe(update.revisionId);
    expect(current.updateDate).toEqual(update.updateDate);
  });

  it('names the version an execution of a version ran, dated when it was published', async () => {
    await t.sfn.send(new CreateStateMachineCommand({ name: 'versioned', definition: PASS, roleArn: ROLE }));
    const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:versioned`;
    const published = await t.sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }));
    const run = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: published.stateMachineVersionArn }));
    await finished(t.sfn, run.executionArn!);
    const ran = await t.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: run.executionArn }));
    expect(ran.stateMachineArn).toBe(published.stateMachineVersionArn);
    expect(ran.updateDate).toEqual(published.creationDate);
  });
});
