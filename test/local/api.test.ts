import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineAliasesCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/asl/validate.js';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const PASS_V2 = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', Result: 2, End: true } } });

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const err = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('state machines', () => {
  it('creates, describes, lists, updates and deletes a machine', async () => {
    const created = await t.sfn.send(new CreateStateMachineCommand({ name: 'orders', definition: PASS, roleArn: ROLE }));
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:orders');
    expect(created.creationDate).toBeInstanceOf(Date);

    const described = await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name: 'orders', type: 'STANDARD', status: 'ACTIVE', definition: PASS, roleArn: ROLE });

    const listed = await t.sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((machine) => machine.name)).toContain('orders');

    const updated = await t.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: PASS_V2 }));
    expect(updated.revisionId).not.toBe(described.revisionId);
    const after = await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(after.definition).toBe(PASS_V2);

    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    const gone = await rejection(t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn })));
    expect(gone).toMatchObject({ name: 'StateMachineDoesNotExist', status: 400 });
  });

  it('answers the same CreateStateMachine twice, and refuses a different one under the same name', async () => {
    const first = await t.sfn.send(new CreateStateMachineCommand({ name: 'twice', definition: PASS, roleArn: ROLE }));
    const again = await t.sfn.send(new CreateStateMachineCommand({ name: 'twice', definition: PASS, roleArn: ROLE }));
    expect(again.stateMachineArn).toBe(first.stateMachineArn);
    const clash = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'twice', definition: PASS_V2, roleArn: ROLE })));
    expect(clash.name).toBe('StateMachineAlreadyExists');
  });

  it('refuses bad definitions, names and ARNs with AWS exception names', async () => {
    const bad = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt":"Nowhere","States":{}}', roleArn: ROLE })));
    expect(bad.name).toBe('InvalidDefinition');
    expect(bad.message).toMatch(/^Invalid State Machine Definition: /);
    const notJson = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{not json', roleArn: ROLE })));
    expect(notJson.name).toBe('InvalidDefinition');
    const name = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'has space', definition: PASS, roleArn: ROLE })));
    expect(name.name).toBe('InvalidName');
    const arn = await rejection(t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })));
    expect(arn.name).toBe('InvalidArn');
    const role = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: 'role', definition: PASS, roleArn: 'nope' })));
    expect(role.name).toBe('InvalidArn');
  });

  it('pages through ListStateMachines with maxResults and nextToken', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      await t.sfn.send(new CreateStateMachineCommand({ name, definition: PASS, roleArn: ROLE }));
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
      expect(page.stateMachines!.length).toBeLessThanOrEqual(2);
      seen.push(...page.stateMachines!.map((machine) => machine.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    expect(new Set(seen).size).toBe(seen.length);
    const badToken = await rejection(t.sfn.send(new ListStateMachinesCommand({ nextToken: 'garbage' })));
    expect(badToken.name).toBe('InvalidToken');
  });

  it('validates definitions without creating anything', async () => {
    const ok = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: PASS }));
    expect(ok).toMatchObject({ result: 'OK', diagnostics: [] });
    const fail = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}' }));
    expect(fail.result).toBe('FAIL');
    expect(fail.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET' })]));
  });

  it('returns warnings only when asked for them (severity WARNING), at most maxResults of them', async () => {
    const choices = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`C${i}`, { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: i + 1 < n ? `C${i + 1}` : 'End' }] }]));
    const definition = JSON.stringify({ StartAt: 'C0', States: { ...choices(3), End: { Type: 'Succeed' } } });
    expect(await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }))).toMatchObject({ result: 'OK', diagnostics: [], truncated: false });
    const all = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition, severity: 'WARNING' }));
    expect(all).toMatchObject({ result: 'OK', truncated: false });
    expect(all.diagnostics?.map((d) => [d.severity, d.code, d.location])).toEqual([
      ['WARNING', 'CHOICE_WITHOUT_DEFAULT', '/States/C0'],
      ['WARNING', 'CHOICE_WITHOUT_DEFAULT', '/States/C1'],
      ['WARNING', 'CHOICE_WITHOUT_DEFAULT', '/States/C2'],
    ]);
    const two = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition, severity: 'WARNING', maxResults: 2 }));
    expect(two).toMatchObject({ result: 'OK', truncated: true });
    expect(two.diagnostics).toHaveLength(2);
  });

  it("returns AWS's warning codes, beside the errors too, and refuses a maxResults over 100", async () => {
    const definition = JSON.stringify({
      StartAt: 'Label',
      States: {
        Label: { Type: 'Pass', Result: { 'parcel.$': '$.parcel' }, Next: 'Charge' },
        Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge', OrderId: '$.order.id' }, Next: 'Zone' },
        Zone: { Type: 'Choice', Choices: [{ Variable: '$.zone', StringEquals: '$.courier.zone', Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
        Orphan: { Type: 'Fail', Error: 'Parcel.Lost', Cause: '$.why' },
      },
    });
    const found = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition, severity: 'WARNING' }));
    expect(found.result).toBe('FAIL');
    expect(found.diagnostics?.map((d) => [d.severity, d.code, d.location])).toEqual([
      ['ERROR', 'MISSING_TRANSITION_TARGET', '/States/Orphan'],
      ['WARNING', 'PASS_RESULT_IS_STATIC', '/States/Label/Result'],
      ['WARNING', 'NO_DOLLAR', '/States/Charge/Parameters/OrderId'],
      ['WARNING', 'NO_PATH', '/States/Zone/Choices/0/StringEquals'],
      ['WARNING', 'NO_PATH', '/States/Orphan/Cause'],
    ]);
    const errorsOnly = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }));
    expect(errorsOnly.diagnostics?.map((d) => d.severity)).toEqual(['ERROR']);
    const tooMany = await rejection(t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition, maxResults: 101 })));
    expect([tooMany.name, tooMany.message]).toEqual(['ValidationException', "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"]);
  });

  it('rejects at CreateStateMachine what AWS rejects, with the codes deliv validate gives', async () => {
    const cases: [string, object, 'STANDARD' | 'EXPRESS', string][] = [
      ['unreachable', { StartAt: 'A', States: { A: { Type: 'Succeed' }, Orphan: { Type: 'Succeed' } } }, 'STANDARD', 'MISSING_TRANSITION_TARGET'],
      ['not-an-arn', { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'charge-card', End: true } } }, 'STANDARD', 'SCHEMA_VALIDATION_FAILED'],
      ['callback-express', { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, End: true } } }, 'EXPRESS', 'SCHEMA_VALIDATION_FAILED'],
      ['sync-express', { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:child' }, End: true } } }, 'EXPRESS', 'SCHEMA_VALIDATION_FAILED'],
      // The published-definition checks (issue 14) are the emulator's too: a field the state type lacks, an unknown intrinsic, a States member that is no state.
      ['map-arguments', { StartAt: 'M', States: { M: { Type: 'Map', Arguments: { a: 1 }, ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } }, 'STANDARD', 'SCHEMA_VALIDATION_FAILED'],
      ['unknown-intrinsic', { StartAt: 'Q', States: { Q: { Type: 'Pass', Parameters: { 'd.$': 'States.Default($.a, 1)' }, End: true } } }, 'STANDARD', 'SCHEMA_VALIDATION_FAILED'],
      ['states-member', { StartAt: 'P', States: { QueryLanguage: 'JSONata', P: { Type: 'Pass', End: true } } }, 'STANDARD', 'SCHEMA_VALIDATION_FAILED'],
    ];
    for (const [name, definition, type, code] of cases) {
      const text = JSON.stringify(definition);
      const refused = await rejection(t.sfn.send(new CreateStateMachineCommand({ name: `refused-${name}`, definition: text, roleArn: ROLE, type })));
      expect(refused.name, name).toBe('InvalidDefinition');
      expect(refused.message, name).toContain(`${code}: `);
      const validated = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: text, type }));
      const local = validateDefinition({ file: 'x.asl.json', definition: definition as StateMachineDefinition, unresolved: [], locate: () => ({ line: 1, col: 1 }) }, { bare: true, workflowType: type });
      // One set of rules: the emulator's diagnostics are deliv validate's problems.
      expect(validated.diagnostics?.map((d) => [d.code, d.location]), name).toEqual(local.filter((p) => p.severity === 'error').map((p) => [p.code, p.pointer]));
    }
  });

  it("accepts at CreateStateMachine the Jayway forms deliv validate accepts ($.[0], $.[?(@.OU > 0)])", async () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.[0]', Parameters: { 'ous.$': '$.[?(@.OU > 0)]' }, End: true } } };
    const local = validateDefinition({ file: 'x.asl.json', definition: definition as StateMachineDefinition, unresolved: [], locate: () => ({ line: 1, col: 1 }) }, { bare: true });
    expect(local).toEqual([]);
    expect(await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(definition) }))).toMatchObject({ result: 'OK', diagnostics: [] });
    const created = await t.sfn.send(new CreateStateMachineCommand({ name: 'jayway-forms', definition: JSON.stringify(definition), roleArn: ROLE }));
    expect(created.stateMachineArn).toContain(':stateMachine:jayway-forms');
  });
});

describe('versions and aliases', () => {
  it('publishes versions idempotently, routes an alias and protects referenced versions', async () => {
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'versioned', definition: PASS, roleArn: ROLE, publish: true, versionDescription: 'first' }));
    const v1 = `${stateMachineArn}:1`;
    const again = await t.sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn }));
    expect(again.stateMachineVersionArn).toBe(v1);

    const update = await t.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: PASS_V2, publish: true, versionDescription: 'second' }));
    expect(update.stateMachineVersionArn).toBe(`${stateMachineArn}:2`);
    const conflict = await rejection(t.sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId: 'stale' })));
    expect(conflict).toMatchObject({ name: 'ConflictException', status: 409 });

    const versions = await t.sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn }));
    expect(versions.stateMachineVersions?.map((version) => version.stateMachineVersionArn)).toEqual([`${stateMachineArn}:2`, v1]);
    const describedV1 = await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: v1 }));
    expect(describedV1).toMatchObject({ stateMachineArn: v1, definition: PASS, description: 'first' });

    const alias = await t.sfn.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [
          { stateMachineVersionArn: v1, weight: 90 },
          { stateMachineVersionArn: `${stateMachineArn}:2`, weight: 10 },
        ],
      }),
    );
    expect(alias.stateMachineAliasArn).toBe(`${stateMachineArn}:live`);
    const described = await t.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
    expect(described.routingConfiguration).toHaveLength(2);

    const weights = await rejection(
      t.sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: v1, weight: 50 }] })),
    );
    expect(weights.name).toBe('ValidationException');
    await t.sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }] }));

    const referenced = await rejection(t.sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 })));
    expect(referenced).toMatchObject({ name: 'ConflictException', status: 409 });

    const aliases = await t.sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn }));
    expect(aliases.stateMachineAliases?.map((entry) => entry.stateMachineAliasArn)).toEqual([alias.stateMachineAliasArn]);
    await t.sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
    const missing = await rejection(t.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn })));
    expect(missing).toMatchObject({ name: 'ResourceNotFound', status: 404 });
    await t.sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 }));
  });
});

describe('tags', () => {
  it('tags, lists and untags a state machine', async () => {
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'tagged', definition: PASS, roleArn: ROLE, tags: [{ key: 'team', value: 'deliv' }] }));
    await t.sfn.send(new TagResourceCommand({ resourceArn: stateMachineArn, tags: [{ key: 'env', value: 'dev' }] }));
    const tags = await t.sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
    expect(tags.tags).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'deliv' },
    ]);
    await t.sfn.send(new UntagResourceCommand({ resourceArn: stateMachineArn, tagKeys: ['team'] }));
    expect((await t.sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }))).tags).toEqual([{ key: 'env', value: 'dev' }]);
    const unknown = await rejection(t.sfn.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:nope' })));
    expect(unknown).toMatchObject({ name: 'ResourceNotFound', status: 404 });
  });
});

describe('execution and task errors', () => {
  it('refuses unknown machines and executions, bad input and StartSync on STANDARD', async () => {
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'errors', definition: PASS, roleArn: ROLE }));
    const noMachine = await rejection(t.sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ghost' })));
    expect(noMachine.name).toBe('StateMachineDoesNotExist');
    const badInput = await rejection(t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"a":' })));
    expect(badInput.name).toBe('InvalidExecutionInput');
    const tooBig = await rejection(t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ blob: 'x'.repeat(262_144) }) })));
    expect(tooBig.name).toBe('ValidationException');
    const badName = await rejection(t.sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a/b' })));
    expect(badName.name).toBe('InvalidName');
    const sync = await rejection(t.sfn.send(new StartSyncExecutionCommand({ stateMachineArn })));
    expect(sync.name).toBe('StateMachineTypeNotSupported');
    const noExecution = await rejection(t.sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:errors:ghost' })));
    expect(noExecution.name).toBe('ExecutionDoesNotExist');
    // AWS's answer to a token it never issued (recorded: `NoSuchTaskToken` → InvalidToken 'Invalid token').
    const token = await rejection(t.sfn.send(new SendTaskSuccessCommand({ taskToken: 'no-such-token', output: '{}' })));
    expect(token).toMatchObject({ name: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
  });
});
