import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFromFileName, parseTestFile, SCHEMA_FILE, TestFileError } from '../../src/testing/file.js';
import { REPO_ROOT } from '../helpers/cli.js';

function problemsOf(text: string): string[] {
  try {
    parseTestFile(text, 'tests/shop.test.yaml');
  } catch (error) {
    if (error instanceof TestFileError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('test files', () => {
  it('reads cases, and the machine from the file name', () => {
    const file = parseTestFile('cases:\n  - name: ok\n    input: { a: 1 }\n    expect: { status: SUCCEEDED }\n', 'tests/shop.test.yaml');
    expect(file.machine).toBe('shop');
    expect(file.cases).toEqual([{ name: 'ok', input: { a: 1 }, expect: { status: SUCCEEDED_STATUS } }]);
    expect(machineFromFileName('tests/order-fulfillment.test.json')).toBe('order-fulfillment');
  });

  it('points schema problems at file:line:col', () => {
    const text = ['cases:', '  - name: ok', '    expect:', '      status: DONE', '      pathh: [A]', '    states:', '      Pay:', '        mock: { throw: { cause: x } }', ''].join('\n');
    expect(problemsOf(text)).toEqual([
      'tests/shop.test.yaml:4:7: error: /cases/0/expect/status must be equal to one of the allowed values: SUCCEEDED, FAILED, TIMED_OUT, ABORTED, RETRIABLE, CAUGHT_ERROR',
      'tests/shop.test.yaml:5:7: error: /cases/0/expect must NOT have additional properties: `pathh`',
      "tests/shop.test.yaml:8:17: error: /cases/0/states/Pay/mock/throw must have required property 'error'",
    ]);
  });

  it('rejects YAML syntax errors, duplicate case names and bad patterns with their position', () => {
    expect(problemsOf('cases:\n  - name: [unclosed\n')[0]).toMatch(/^tests\/shop\.test\.yaml:\d+:\d+: error: /);
    expect(problemsOf('cases:\n  - name: a\n  - name: a\n    expect: { errorMatches: "(" }\n')).toEqual([
      'tests/shop.test.yaml:3:5: error: two cases are named `a`',
      expect.stringMatching(/^tests\/shop\.test\.yaml:4:15: error: not a regular expression/),
    ]);
  });

  it('publishes its JSON Schema in the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schemas');
    expect(path.relative(REPO_ROOT, SCHEMA_FILE)).toBe(path.join('schemas', 'deliv-test.schema.json'));
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; required: string[] };
    expect(schema.required).toEqual(['cases']);
  });
});

const SUCCEEDED_STATUS = 'SUCCEEDED';
