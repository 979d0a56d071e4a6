import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/asl/validate.js';
import { checkFiles } from '../../src/project/check.js';
import { loadDefinitionFile, parseDefinition } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { CONFORMANCE_SUITE } from '../helpers/conformance.js';
import { CONFORMANCE_CASES_DIR, corpusFiles } from '../helpers/corpus.js';

const fixtures = path.join(REPO_ROOT, 'test/fixtures/asl');
const validDir = path.join(fixtures, 'valid');
const invalidDir = path.join(fixtures, 'invalid');

const errorsOf = (file: string) => validateDefinition(loadDefinitionFile(file), { bare: true }).filter((problem) => problem.severity === 'error');

describe('definitions AWS accepts are never rejected', () => {
  const files = readdirSync(validDir).sort();

  it('has a varied corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s has no problems at all', (file) => {
    expect(validateDefinition(loadDefinitionFile(path.join(validDir, file)), { bare: true })).toEqual([]);
  });

  // One test per case: asl-validator compiles its JSON schemas on every call, so a single
  // test over all 140 cases outgrows the timeout on a loaded machine.
  describe(`${CONFORMANCE_SUITE} through the validator`, () => {
  it.each(corpusFiles(CONFORMANCE_CASES_DIR))('%s (accepted by AWS) has no errors', (file) => {
    const { definition } = JSON.parse(readFileSync(path.join(CONFORMANCE_CASES_DIR, file), 'utf8')) as { definition: unknown };
    const loaded = parseDefinition(JSON.stringify(definition, null, 2), file);
    const rejected = validateDefinition(loaded, { bare: true })
      .filter((entry) => entry.severity === 'error')
      .map((problem) => `${problem.message} at ${problem.pointer}`);
    expect(rejected).toEqual([]);
  });
  });

  it.each(readdirSync(path.join(REPO_ROOT, 'templates')))('template %s is valid once its placeholders are filled', (template) => {
    const file = path.join(REPO_ROOT, 'templates', template, 'statemachine.asl.yaml');
    const bare = loadDefinitionFile(file);
    const filled = loadDefinitionFile(file, Object.fromEntries(bare.placeholders.map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`])));
    expect(filled.unresolved).toEqual([]);
    expect(validateDefinition(filled, { bare: false })).toEqual([]);
  });
});

describe('invalid definitions report the expected problem', () => {
  // Each fixture says on its first line what it must produce: `# expect: SEVERITY CODE LINE:COL "message part"`.
  const cases = readdirSync(invalidDir).sort().map((file) => {
    const header = readFileSync(path.join(invalidDir, file), 'utf8').split('\n')[0];
    const match = /^# expect: (error|warning) (\S+) (\d+):(\d+) "(.*)"$/.exec(header);
    if (!match) throw new Error(`${file}: first line must be an expectation`);
    return { file, severity: match[1], code: match[2], line: Number(match[3]), col: Number(match[4]), text: match[5].replaceAll('\\"', '"') };
  });

  it.each(cases)('$file', ({ file, severity, code, line, col, text }) => {
    const { problems } = checkFiles([path.join(invalidDir, file)], {}).definitions[0];
    expect(problems).toContainEqual(expect.objectContaining({ severity, code, line, col, message: expect.stringContaining(text) }));
    if (severity === 'warning') expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  });
});

describe('placeholders', () => {
  const text = 'StartAt: Pay\nStates:\n  Pay:\n    Type: Task\n    Resource: ${PayFunctionArn}\n    End: true\n';

  it('are warnings in a bare file, with the fix named', () => {
    const problems = validateDefinition(parseDefinition(text, 'pay.asl.yaml'), { bare: true });
    expect(problems).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'UNRESOLVED_PLACEHOLDER', line: 5, col: 5, message: expect.stringContaining('--sub PayFunctionArn=VALUE') }),
    ]);
  });

  it('are errors in a project, naming the target', () => {
    const problems = validateDefinition(parseDefinition(text, 'pay.asl.yaml'), { bare: false, target: 'prod' });
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('no substitution in target `prod`') })]);
  });

  it('disappear once substituted, and the value is checked like any other', () => {
    expect(validateDefinition(parseDefinition(text, 'pay.asl.yaml', { PayFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pay' }), { bare: true })).toEqual([]);
    expect(errorsOf(path.join(invalidDir, 'bad-jsonpath.asl.yaml'))).not.toEqual([]);
    const badArn = validateDefinition(parseDefinition(text, 'pay.asl.yaml', { PayFunctionArn: 'not-an-arn' }), { bare: true });
    expect(badArn).toContainEqual(expect.objectContaining({ severity: 'error', pointer: '/States/Pay/Resource' }));
  });
});

describe('workflow type', () => {
  it('refuses callbacks and .sync in an EXPRESS machine, and accepts them in a STANDARD one', () => {
    const loaded = loadDefinitionFile(path.join(validDir, 'callback-sqs-task-token.asl.json'));
    expect(validateDefinition(loaded, { bare: true, workflowType: 'STANDARD' })).toEqual([]);
    expect(validateDefinition(loaded, { bare: true, workflowType: 'EXPRESS' })).toEqual([
      expect.objectContaining({ severity: 'error', pointer: '/States/RequestApproval/Resource', message: expect.stringContaining('.waitForTaskToken') }),
    ]);
    const nested = loadDefinitionFile(path.join(validDir, 'nested-start-execution-sync.asl.json'));
    expect(validateDefinition(nested, { bare: true, workflowType: 'EXPRESS' })).toEqual([expect.objectContaining({ message: expect.stringContaining('.sync') })]);
  });
});

describe('published definitions (SAM, CDK, console exports) as AWS judges them', () => {
  const check = (definition: unknown, file = 'published.asl.json') => validateDefinition(parseDefinition(JSON.stringify(definition, null, 2), file), { bare: true });
  const shown = (definition: unknown) => check(definition).map((p) => `${p.severity} ${p.pointer} ${p.line}:${p.col} ${p.message}`);

  it("accepts Jayway's dot before a bracket in paths and payload templates", () => {
    expect(shown({ StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.[0]', Parameters: { 'ous.$': '$.[?(@.OU > 0)]' }, End: true } } })).toEqual([]);
  });

  it('accepts member names with escaped quotes and backslashes in brackets, as Jayway reads them', () => {
    const state = { Type: 'Pass', InputPath: "$['it\\'s']", Parameters: { 'slash.$': "$['a\\\\b']", 'quote.$': '$["say \\"hi\\""].x' }, ResultPath: "$['out\\'s']", End: true };
    expect(shown({ StartAt: 'P', States: { P: state } })).toEqual([]);
  });

  it('checks a JSONata expression holding a ${Placeholder} with a neutral name there: the placeholder is a warning, not a syntax error', () => {
    expect(shown({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.${Field} %}', End: true } } })).toEqual([
      'warning /States/P/Output 7:7 placeholder ${Field} has no substitution; pass --sub Field=VALUE',
    ]);
  });

  it('says where a States member is not a state, instead of failing', () => {
    expect(shown({ StartAt: 'P', States: { QueryLanguage: 'JSONata', P: { Type: 'Pass', End: true } } })).toEqual([
      'error /States/QueryLanguage 4:5 States.QueryLanguage must be a state (an object with a Type), not "JSONata"; QueryLanguage belongs beside StartAt, not inside States',
    ]);
  });

  it('names an unknown intrinsic function and a field the state type does not have', () => {
    const definition = {
      StartAt: 'M',
      States: {
        M: { Type: 'Map', Arguments: { a: 1 }, ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, Next: 'Q' },
        Q: { Type: 'Pass', Parameters: { 'd.$': 'States.Default($.a, 1)' }, End: true },
      },
    };
    expect(check(definition).map((p) => [p.code, p.pointer, p.message])).toEqual([
      ['SCHEMA_VALIDATION_FAILED', '/States/M/Arguments', 'a Map state has no field Arguments'],
      ['SCHEMA_VALIDATION_FAILED', '/States/Q/Parameters/d.$', 'd.$: unknown intrinsic function States.Default'],
    ]);
  });

  it('takes a payload field named States as any other, and names a problem inside it at its place', () => {
    // A delivery round by US state: asl-validator took any member named States for a machine's states, and threw on this.
    const definition = {
      StartAt: 'Plan',
      States: {
        Plan: { Type: 'Pass', Result: { States: ['CA', 'NY'] }, ResultPath: '$.round', Next: 'Route' },
        Route: { Type: 'Pass', Parameters: { States: { 'first.$': 'first state' } }, End: true },
      },
    };
    expect(check(definition).map((p) => [p.code, p.pointer, p.state, p.message])).toEqual([
      ['SCHEMA_VALIDATION_FAILED', '/States/Route/Parameters/States/first.$', 'Route', 'first.$ is invalid: must match format "asl_payload_template"'],
    ]);
  });
});
