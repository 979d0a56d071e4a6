import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aslSchemaFormats, compileAslSchemas, schemaErrors, type SchemaCheckError } from '../../src/asl/schema-check.js';
import { loadDefinitionFile } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { CONFORMANCE_CASES_DIR, corpusFiles } from '../helpers/corpus.js';

const require = createRequire(import.meta.url);
const fromValidator = createRequire(require.resolve('asl-validator'));

/** asl-validator's own schema check, loaded afresh from its file (deliv puts its compiled one in that module's place). */
function originalSchemaCheck(): (definition: unknown, options: object) => SchemaCheckError[] {
  const file = fromValidator.resolve('./checks/json-schema-errors');
  const installed = require.cache[file];
  delete require.cache[file];
  try {
    return (require(file) as { jsonSchemaErrors: (definition: unknown, options: object) => SchemaCheckError[] }).jsonSchemaErrors;
  } finally {
    if (installed) require.cache[file] = installed;
    else delete require.cache[file];
  }
}

/** Every definition in the repository that AWS or a fixture vouches for, and each broken in a few ways. */
function definitions(): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  for (const file of corpusFiles(CONFORMANCE_CASES_DIR)) found.push([file, (JSON.parse(readFileSync(path.join(CONFORMANCE_CASES_DIR, file), 'utf8')) as { definition: unknown }).definition]);
  for (const kind of ['valid', 'invalid']) {
    const dir = path.join(REPO_ROOT, 'test/fixtures/asl', kind);
    for (const file of readdirSync(dir).sort()) {
      try {
        found.push([`${kind}/${file}`, loadDefinitionFile(path.join(dir, file)).definition]);
      } catch {
        // A fixture that is not even YAML never reaches the schema check.
      }
    }
  }
  for (const template of readdirSync(path.join(REPO_ROOT, 'templates'))) found.push([`template ${template}`, loadDefinitionFile(path.join(REPO_ROOT, 'templates', template, 'statemachine.asl.yaml')).definition]);
  const broken: Array<[string, unknown]> = [];
  for (const [name, definition] of found.slice(0, 60)) {
    const states = (definition as { States?: Record<string, Record<string, unknown>> }).States ?? {};
    const first = Object.keys(states)[0];
    if (first === undefined) continue;
    const variants: Record<string, Record<string, unknown>> = {
      'unknown type': { Type: 'Bogus' },
      'unknown field': { Colour: 'red' },
      'bad ResultPath': { ResultPath: '$$.nope[' },
      'bad Resource': { Resource: 'not-an-arn' },
      'bad JSONata': { Output: '{% $states.input. %}' },
      'Next and End': { Next: first, End: true },
    };
    for (const [label, change] of Object.entries(variants)) broken.push([`${name}, ${label}`, { ...(definition as object), States: { ...states, [first]: { ...states[first], ...change } } }]);
  }
  return [...found, ...broken];
}

const cases = definitions();
const original = originalSchemaCheck();
// asl-validator's own check compiles every schema on each call (about 0.25 s): it judges a spread of the cases,
// every template and fixture, some AWS-accepted definitions and each kind of breakage; the compiled check meets all of them below.
const judged = cases.filter(([name], index) => !/^\d{3}-/.test(name) || index % 40 === 0 || (/, /.test(name) && index % 13 === 0));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'deliv-schema-check-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("asl-validator's schema check, compiled once", () => {
  it('covers valid and invalid definitions', () => {
    const failing = cases.filter(([, definition]) => schemaErrors(structuredClone(definition)).length > 0);
    expect(cases.length).toBeGreaterThan(400);
    expect(failing.length).toBeGreaterThan(300);
    expect(judged.length).toBeGreaterThan(40);
    expect(new Set(judged.map(([name]) => name.split(', ')[1]))).toEqual(new Set([undefined, 'unknown type', 'unknown field', 'bad ResultPath', 'bad Resource', 'bad JSONata', 'Next and End']));
  });

  it.each(judged)('%s: the same errors as asl-validator', (_name, definition) => {
    expect(schemaErrors(structuredClone(definition))).toEqual(original(structuredClone(definition), { checkPaths: true, checkArn: true }));
  });

  it('generates standalone code (what npm run build writes) that validates as the compiled schemas do', () => {
    const { code, validate } = compileAslSchemas(true);
    const file = path.join(scratch, 'asl-schemas.generated.cjs');
    writeFileSync(file, code as string);
    const generated = (require(file) as (formats: object) => typeof validate)(aslSchemaFormats());
    for (const [name, definition] of cases) {
      const expected = validate(structuredClone(definition));
      const expectedErrors = validate.errors;
      expect(generated(structuredClone(definition)), name).toBe(expected);
      expect(generated.errors ?? null, name).toEqual(expectedErrors ?? null);
    }
  });
});
