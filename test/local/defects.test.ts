/** Smaller defects found by attacking the emulator: bad tags, and state names that are Object.prototype's keys. */
import { CreateStateMachineCommand, GetExecutionHistoryCommand, ListTagsForResourceCommand, StartExecutionCommand, TagResourceCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });

async function post(action: string, body: unknown): Promise<{ status: number; body: { __type?: string; message?: string } }> {
  const response = await fetch(t.emulator.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${action}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { __type?: string; message?: string } };
}

describe('bad tags', () => {
  it('are a 400 with an AWS error, never a raw SQLite 500, and leave nothing behind', async () => {
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'tagged', definition: PASS, roleArn: ROLE }));
    const resourceArn = machine.stateMachineArn!;
    const bad: unknown[] = [[{ key: 'a' , value: { nested: true } }], [{ value: 'no key' }], [{ key: 7, value: 'x' }], ['just a string'], { key: 'a' }, [{ key: 'k'.repeat(129), value: 'x' }], [{ key: 'k', value: 'v'.repeat(257) }]];
    for (const tags of bad) {
      const answer = await post('TagResource', { resourceArn, tags });
      expect(answer.status, JSON.stringify(tags)).toBe(400);
      expect(['ValidationException', 'SerializationException'], JSON.stringify(answer.body)).toContain(answer.body.__type);
      const created = await post('CreateStateMachine', { name: `bad-tags-${Math.random().toString(36).slice(2)}`, definition: PASS, roleArn: ROLE, tags });
      expect(created.status, JSON.stringify(tags)).toBe(400);
    }
    expect((await post('UntagResource', { resourceArn, tagKeys: [{ not: 'a string' }] })).status).toBe(400);
    await t.sfn.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'team', value: 'orders' }, { key: 'empty' }] }));
    expect((await t.sfn.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([{ key: 'empty', value: '' }, { key: 'team', value: 'orders' }]);
    const machines = (await post('ListStateMachines', {})).body as { stateMachines?: { name: string }[] };
    expect(machines.stateMachines?.some((entry) => entry.name.startsWith('bad-tags-'))).toBe(false);
  });
});

describe("states named after Object.prototype's keys", () => {
  it('run, branch, map and catch like any other name', async () => {
    const definition = {
      StartAt: 'toString',
      States: {
        toString: { Type: 'Pass', Result: { route: 'constructor' }, ResultPath: '$.r', Next: 'hasOwnProperty' },
        hasOwnProperty: { Type: 'Choice', Choices: [{ Variable: '$.r.route', StringEquals: 'constructor', Next: 'constructor' }], Default: '__proto__' },
        constructor: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'valueOf', States: { valueOf: { Type: 'Pass', End: true } } },
          ResultPath: '$.mapped',
          Next: '__proto__',
        },
        ['__proto__']: { Type: 'Parallel', Branches: [{ StartAt: 'isPrototypeOf', States: { isPrototypeOf: { Type: 'Fail', Error: 'Boom' } } }], Catch: [{ ErrorEquals: ['Boom'], Next: 'propertyIsEnumerable' }], End: true },
        propertyIsEnumerable: { Type: 'Succeed' },
      },
    };
    const text = JSON.stringify(definition);
    expect(text).toContain('"__proto__":{"Type":"Parallel"');
    const machine = await t.sfn.send(new CreateStateMachineCommand({ name: 'prototype-names', definition: text, roleArn: ROLE }));
    const started = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: JSON.stringify({ items: [1, 2] }) }));
    const done = await finished(t.sfn, started.executionArn!);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    const history = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    const entered = history.events?.map((event) => event.stateEnteredEventDetails?.name).filter(Boolean);
    expect(entered).toEqual(['toString', 'hasOwnProperty', 'constructor', 'valueOf', 'valueOf', '__proto__', 'isPrototypeOf', 'propertyIsEnumerable']);
  });

  it('are refused by validation only for what AWS refuses: a missing state, not a name that is a prototype key', async () => {
    const missing = JSON.stringify({ StartAt: 'constructor', States: { toString: { Type: 'Pass', End: true } } });
    const refused = await post('CreateStateMachine', { name: 'missing-constructor', definition: missing, roleArn: ROLE });
    expect(refused.status).toBe(400);
    expect(refused.body.__type).toBe('InvalidDefinition');
    const dangling = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'toString' } } });
    expect((await post('CreateStateMachine', { name: 'dangling-tostring', definition: dangling, roleArn: ROLE })).body.__type).toBe('InvalidDefinition');
  });
});
