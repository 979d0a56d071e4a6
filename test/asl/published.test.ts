import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/asl/validate.js';
import { checkFiles } from '../../src/project/check.js';
import { parseDefinition } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';

const corpus = path.join(REPO_ROOT, 'test/fixtures/published');
const errorsIn = (file: string) => checkFiles([file], {}).definitions[0].problems.filter((problem) => problem.severity === 'error');

describe('published definitions AWS accepted (test/fixtures/published/README.md)', () => {
  it.each(readdirSync(path.join(corpus, 'accepted')).sort())('%s has no errors', (file) => {
    expect(errorsIn(path.join(corpus, 'accepted', file)).map((problem) => `${problem.line}:${problem.col} ${problem.message}`)).toEqual([]);
  });
});

describe('definitions AWS rejects', () => {
  const codes = JSON.parse(readFileSync(path.join(corpus, 'rejected-codes.json'), 'utf8')) as Record<string, string>;

  it('each has its expected code listed', () => {
    expect(Object.keys(codes).sort()).toEqual(readdirSync(path.join(corpus, 'rejected')).sort());
  });

  it.each(Object.entries(codes))('%s is an error %s at a line and column', (file, code) => {
    const [first] = errorsIn(path.join(corpus, 'rejected', file));
    expect(first).toMatchObject({ code });
    expect(first.line).toBeGreaterThan(0);
    expect(first.message).not.toMatch(/^\S* ?is invalid\. |TypeError|undefined/);
  });
});

describe('what the published corpus taught', () => {
  const shown = (text: string, file = 'published.asl.json', substitutions: Record<string, string> = {}) =>
    validateDefinition(parseDefinition(text, file, substitutions), { bare: true }).map((p) => `${p.severity} ${p.code} ${p.line}:${p.col} ${p.message}`);

  it('takes a ${Placeholder} standing for a number outside quotes in a .json file, as SAM substitutes it', () => {
    const text = '{\n  "StartAt": "W",\n  "States": {\n    "W": { "Type": "Wait", "Seconds": ${Delay}, "End": true }\n  }\n}\n';
    expect(shown(text)).toEqual(['warning UNRESOLVED_PLACEHOLDER 4:28 placeholder ${Delay} has no substitution; pass --sub Delay=VALUE']);
    const filled = parseDefinition(text, 'published.asl.json', { Delay: '30' });
    expect(filled.definition.States.W).toMatchObject({ Seconds: 30 });
  });

  it('holds a .json file to JSON, as AWS parses it: a trailing comma is INVALID_JSON_DESCRIPTION at its place', () => {
    const file = path.join(corpus, 'rejected', 'own-invalid-json-trailing-comma.asl.json');
    expect(errorsIn(file)).toEqual([expect.objectContaining({ code: 'INVALID_JSON_DESCRIPTION', line: 5, col: 3, message: 'invalid JSON: Expected double-quoted property name' })]);
  });

  it("accepts Jayway filters asl-path-validator lacks: &&, ||, !=, =~, negative numbers, $ paths", () => {
    const parameters = {
      'young.$': "$.pets[?(@.species == 'cat' && @.age<5)]",
      'either.$': '$.a[?(@.x > 1 || @.y < -2.5)]',
      'other.$': "$.a[?(@.x != 'b')].c",
      // `)]` inside the regular expression does not close the filter (an escaped parenthesis: `/^a.*)]/` is no regex in Java or RE2).
      'match.$': '$.a[?(@.name =~ /^a.*\\)]/i)]',
      'winner.$': '$.approaches[?(@.workerId == $.agent_id)].approach',
    };
    expect(shown(JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } }))).toEqual([]);
    expect(shown(JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'open.$': "$.a[?(@.x == 'b)]" }, End: true } } }))).toEqual([
      expect.stringContaining('error SCHEMA_VALIDATION_FAILED'),
    ]);
  });

  it('names the field in a schema error of a state whose name has spaces', () => {
    const definition = { StartAt: 'Over limit?', States: { 'Over limit?': { Type: 'Choice', Choices: [{ Variable: '$.flag.', StringEquals: 'x', Next: 'Done' }], Default: 'Done' }, Done: { Type: 'Succeed' } } };
    expect(shown(JSON.stringify(definition, null, 2))).toEqual([expect.stringMatching(/^error SCHEMA_VALIDATION_FAILED \d+:\d+ The value for the field 'Variable' must be a valid Reference Path: Invalid JSONPath '\$\.flag\.': expected a property name at position 7$/)]);
  });

  it("says what a state lacks instead of the schema's complaint about QueryLanguage", () => {
    expect(shown(JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', End: true } } }))).toEqual(['error SCHEMA_VALIDATION_FAILED 1:26 a Task state needs Resource']);
    expect(shown(JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Parallel', End: true } } }))).toEqual(['error SCHEMA_VALIDATION_FAILED 1:26 a Parallel state needs Branches']);
  });

  it('names an unknown top-level field and a state name over 80 characters', () => {
    expect(shown('{\n  "StartAt": "A",\n  "Statez": {},\n  "States": { "A": { "Type": "Pass", "End": true } }\n}')).toEqual([
      'error SCHEMA_VALIDATION_FAILED 3:3 unknown top-level field Statez: a state machine has Comment, StartAt, States, Version, TimeoutSeconds, QueryLanguage',
    ]);
    const long = 'N'.repeat(81);
    expect(shown(JSON.stringify({ StartAt: long, States: { [long]: { Type: 'Pass', End: true } } }))).toEqual([
      expect.stringContaining(`is 81 characters long: a state name has 1 to 80 characters`),
    ]);
  });

  it("reports a state name used twice with AWS's code, at the later one", () => {
    const definition = {
      StartAt: 'Map',
      States: {
        Map: { Type: 'Map', ItemsPath: '$.items', Iterator: { StartAt: 'Final', States: { Final: { Type: 'Succeed' } } }, Next: 'Final' },
        Final: { Type: 'Pass', End: true },
      },
    };
    expect(shown(JSON.stringify(definition, null, 2))).toEqual([expect.stringMatching(/^error DUPLICATE_STATE_NAME (\d+):\d+ state name Final is used twice/)]);
    expect(validateDefinition(parseDefinition(JSON.stringify(definition, null, 2), 'x.asl.json'), { bare: true })[0].pointer).toBe('/States/Final');
  });

  it('reports a key written twice in a States object as a state name used twice, at the second, in a branch too', () => {
    // Two states of one name: JSON.parse would keep the second silently; AWS refuses the definition on save.
    const text = '{\n  "StartAt": "Weigh",\n  "States": {\n    "Weigh": { "Type": "Pass", "Next": "Label" },\n    "Label": { "Type": "Succeed" },\n    "Weigh": { "Type": "Pass", "End": true }\n  }\n}\n';
    expect(shown(text)).toEqual([expect.stringMatching(/^error DUPLICATE_STATE_NAME 6:5 state name Weigh is used twice/)]);
    const branch = { StartAt: 'Split', States: { Split: { Type: 'Parallel', Branches: [{ StartAt: 'Scan', States: { Scan: { Type: 'Succeed' } } }], End: true } } };
    const twice = JSON.stringify(branch).replace('"Scan":{"Type":"Succeed"}', '"Scan":{"Type":"Succeed"},"Scan":{"Type":"Succeed"}');
    expect(validateDefinition(parseDefinition(twice, 'split.asl.json'), { bare: true }).map((p) => `${p.code} ${p.pointer}`)).toEqual(['DUPLICATE_STATE_NAME /States/Split/Branches/0/States/Scan']);
  });

  it('judges a key written twice in a YAML definition as in a JSON one, not as a YAML syntax error', () => {
    const text = 'StartAt: Weigh\nStates:\n  Weigh:\n    Type: Pass\n    Next: Label\n  Label:\n    Type: Succeed\n  Weigh:\n    Type: Pass\n    End: true\n';
    expect(shown(text, 'parcel.asl.yaml')).toEqual([expect.stringMatching(/^error DUPLICATE_STATE_NAME 8:3 state name Weigh is used twice/)]);
    const branch = 'StartAt: Split\nStates:\n  Split:\n    Type: Parallel\n    End: true\n    Branches:\n      - StartAt: Scan\n        States:\n          Scan: {Type: Succeed}\n          Scan: {Type: Succeed}\n';
    expect(validateDefinition(parseDefinition(branch, 'split.asl.yml'), { bare: true }).map((p) => `${p.code} ${p.line}:${p.col} ${p.pointer}`)).toEqual(['DUPLICATE_STATE_NAME 10:11 /States/Split/Branches/0/States/Scan']);
    const payload = 'StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {CA: 1, CA: 2}\n    End: true\n';
    expect(validateDefinition(parseDefinition(payload, 'pass.asl.yaml'), { bare: true }).map((p) => `${p.code} ${p.line}:${p.col} ${p.pointer}`)).toEqual(['INVALID_JSON_DESCRIPTION 5:21 /States/P/Result/CA']);
  });

  it('refuses a key written twice anywhere else as a JSON problem, in a payload field named States too', () => {
    const text = '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"States":{"CA":1,"CA":2}},"Result":1,"End":true,"End":true}}}';
    expect(validateDefinition(parseDefinition(text, 'pass.asl.json'), { bare: true }).map((p) => `${p.code} ${p.pointer}`)).toEqual([
      'INVALID_JSON_DESCRIPTION /States/P/Parameters/States/CA',
      'INVALID_JSON_DESCRIPTION /States/P/End',
    ]);
  });
});
