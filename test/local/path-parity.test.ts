/**
 * The emulator refuses the JSONPath `deliv validate` refuses, with the same code and message
 * (test/fixtures/paths/rejected.json, which test/e2e/validate-paths.test.ts holds `deliv validate`
 * to), through the real SDK client: ValidateStateMachineDefinition says FAIL with that diagnostic
 * at that location, and CreateStateMachine is InvalidDefinition quoting it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

const fixtures = path.join(REPO_ROOT, 'test/fixtures/paths');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'rejected.json'), 'utf8')) as Record<string, { code: string; pointer: string; message: string }>;
let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(async () => t.close());

describe('JSONPath at the emulator', () => {
  it.each(Object.entries(expected))('%s is refused as deliv validate refuses it', async (file, { code, pointer, message }) => {
    const definition = readFileSync(path.join(fixtures, 'rejected', file), 'utf8');
    const validated = await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }));
    expect(validated.result).toBe('FAIL');
    expect(validated.diagnostics).toEqual([{ severity: 'ERROR', code, location: pointer, message: `${code}: ${message} at ${pointer}` }]);
    const created = t.sfn.send(new CreateStateMachineCommand({ name: file.replace(/\W/g, '-'), definition, roleArn: ROLE }));
    await expect(created).rejects.toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining(`${code}: ${message} at ${pointer}`) });
  });

  it('accepts and creates the Jayway forms AWS accepts', async () => {
    const definition = readFileSync(path.join(fixtures, 'accepted', 'jayway-forms.asl.json'), 'utf8');
    expect(await t.sfn.send(new ValidateStateMachineDefinitionCommand({ definition }))).toMatchObject({ result: 'OK', diagnostics: [] });
    expect((await t.sfn.send(new CreateStateMachineCommand({ name: 'jayway-forms', definition, roleArn: ROLE }))).stateMachineArn).toBeDefined();
  });
});
