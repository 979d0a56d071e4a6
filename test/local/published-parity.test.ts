/**
 * deliv validate and the emulator's create-time checks are one set of rules (issue 14): the
 * published corpus (test/fixtures/published) reaches ValidateStateMachineDefinition and
 * CreateStateMachine as AWS would receive it, its placeholders filled, and is judged the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, StartExecutionCommand, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDefinition } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

const corpus = path.join(REPO_ROOT, 'test/fixtures/published');
let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(async () => t.close());

/** The definition as deployed: every placeholder given a value (an ARN, or a number where it stands bare). */
function deployed(file: string): string {
  const text = readFileSync(file, 'utf8');
  const names = parseDefinition(text, file).placeholders;
  const bare = new Set([...text.matchAll(/:\s*\$\{([A-Za-z0-9_.:-]+)\}/g)].map((match) => match[1]));
  const values = Object.fromEntries(names.map((name) => [name, bare.has(name) ? '10' : `arn:aws:lambda:us-east-1:123456789012:function:${name}`]));
  return file.endsWith('.json') && names.length === 0 ? text : JSON.stringify(parseDefinition(text, file, values).definition);
}

describe('published definitions at the emulator', () => {
  it.each(readdirSync(path.join(corpus, 'accepted')).sort())('%s is OK and created', async (file) => {
    const definition = deployed(path.join(corpus, 'accepted', file));
    expect(await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }))).toMatchObject({ result: 'OK', diagnostics: [] });
    const created = await t.sfn.send(new CreateStateMachineCommand({ name: file.replace(/\W/g, '-').slice(0, 80), definition, roleArn: ROLE }));
    expect(created.stateMachineArn).toBeDefined();
  });

  const codes = JSON.parse(readFileSync(path.join(corpus, 'rejected-codes.json'), 'utf8')) as Record<string, string>;
  it.each(Object.keys(codes))('%s is refused with the same code', async (file) => {
    const definition = readFileSync(path.join(corpus, 'rejected', file), 'utf8');
    const validated = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }));
    expect(validated.result).toBe('FAIL');
    expect(validated.diagnostics?.map((diagnostic) => diagnostic.code)).toContain(codes[file]);
  });

  it('refuses at CreateStateMachine a state written twice, which JSON.parse alone would have kept once', async () => {
    const definition = readFileSync(path.join(corpus, 'rejected', 'own-duplicate-state-names.asl.json'), 'utf8');
    await expect(t.sfn.send(new CreateStateMachineCommand({ name: 'twice', definition, roleArn: ROLE }))).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringMatching(/^Invalid State Machine Definition: 'DUPLICATE_STATE_NAME: state name A is used twice.* at \/States\/A'$/),
    });
  });

  it('creates and runs a definition whose payload has a field named States, as AWS does', async () => {
    const definition = JSON.stringify({ StartAt: 'Plan', States: { Plan: { Type: 'Pass', Result: { States: ['CA', 'NY'] }, End: true } } });
    expect(await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }))).toMatchObject({ result: 'OK', diagnostics: [] });
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'round-by-state', definition, roleArn: ROLE }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '{"States":["CA","NY"]}' });
  });
});
