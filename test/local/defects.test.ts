/**
 * Smaller defects found by attacking the emulator: bad tags, state names that
 * are Object.prototype's keys, and a broken deliv.yaml or MockConfigFile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, ListTagsForResourceCommand, StartExecutionCommand, TagResourceCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });

async function post(action: string, body: unknown, on: TestEmulator = t): Promise<{ status: number; body: { __type?: string; message?: string } }> {
  const response = await fetch(on.emulator.endpoint, {
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

describe('a broken MockConfigFile or deliv.yaml', () => {
  // A Catch on States.ALL: the workflow would handle an error of its own; a broken file must not be taken for one.
  const definition = JSON.stringify({
    StartAt: 'Charge',
    States: {
      Charge: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:charge', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refund' }], End: true },
      Refund: { Type: 'Pass', End: true },
    },
  });
  const goodYaml = 'name: shop\nstateMachines: {}\nfunctions:\n  charge: { handler: functions/charge.mjs }\n';
  const brokenMocks = ['{', '  "StateMachines": { "orders": { "TestCases": { "Happy": { "Charge": "Paid" } } } },', '  "MockedResponses": {', '    "Paid": { "0": { "Return": { "paid": true } } },', '  }', '}'].join('\n');

  it('is reported as that file at its line, never as an error of the workflow', async () => {
    const project = tempDir('deliv-broken-');
    mkdirSync(path.join(project.dir, 'functions'));
    mkdirSync(path.join(project.dir, 'mocks'));
    writeFileSync(path.join(project.dir, 'deliv.yaml'), goodYaml);
    writeFileSync(path.join(project.dir, 'functions/charge.mjs'), 'export const handler = async () => ({ charged: true });\n');
    writeFileSync(path.join(project.dir, 'mocks/MockConfigFile.json'), brokenMocks);
    const local = await testEmulator({ root: project.dir });
    try {
      const { stateMachineArn } = await local.sfn.send(new CreateStateMachineCommand({ name: 'orders', definition, roleArn: ROLE }));
      // Asking for a test case of the broken file: a 400 that says where the file is broken, not a 500.
      const refused = await post('StartExecution', { stateMachineArn: `${stateMachineArn}#Happy` }, local);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ __type: 'ValidationException', message: expect.stringMatching(/^mocks\/MockConfigFile\.json:5:3: not valid JSON: .*\. Fix mocks\/MockConfigFile\.json/) });

      // An execution that reaches a task while the file is broken fails with States.Runtime (no Catch takes it), naming the file.
      const run = await local.sfn.send(new StartExecutionCommand({ stateMachineArn }));
      const failed = await finished(local.sfn, run.executionArn!);
      expect({ status: failed.status, error: failed.error }).toEqual({ status: 'FAILED', error: 'States.Runtime' });
      expect(failed.cause).toMatch(/^mocks\/MockConfigFile\.json:5:3: /);

      // Fixed, it is read again; then deliv.yaml breaks while the emulator runs.
      writeFileSync(path.join(project.dir, 'mocks/MockConfigFile.json'), brokenMocks.replace('} } },\n  }', '} } }\n  }'));
      const happy = await local.sfn.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#Happy` }));
      expect((await finished(local.sfn, happy.executionArn!)).output).toBe('{"paid":true}');
      writeFileSync(path.join(project.dir, 'deliv.yaml'), `${goodYaml}  refund: { handler: functions/refund.mjs\n`);
      const broken = await finished(local.sfn, (await local.sfn.send(new StartExecutionCommand({ stateMachineArn }))).executionArn!);
      expect({ status: broken.status, error: broken.error }).toEqual({ status: 'FAILED', error: 'States.Runtime' });
      expect(broken.cause).toMatch(/^deliv\.yaml:6:1: .*\. Fix the YAML syntax at that line$/);
      expect(broken.cause).not.toContain(project.dir);
    } finally {
      await local.close();
      project.cleanup();
    }
  });
});
