/** A MockConfigFile that is broken is reported where it is broken (file:line:col) with what to do. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockFile, parseMockConfig } from '../../src/local/mocks.js';
import { FileProblemError } from '../../src/ui/errors.js';
import { tempDir } from '../helpers/cli.js';

function problem(text: string): string {
  try {
    parseMockConfig(text, 'mocks/MockConfigFile.json');
  } catch (error) {
    if (!(error instanceof FileProblemError)) throw error;
    return error.message;
  }
  throw new Error('expected the file to be refused');
}

const lines = (...parts: string[]) => parts.join('\n');

describe('parseMockConfig', () => {
  it('names the line and column of a JSON syntax error', () => {
    const trailingComma = lines('{', '  "StateMachines": {},', '  "MockedResponses": {', '    "Ok": { "0": { "Return": 1 } },', '  }', '}');
    expect(problem(trailingComma)).toBe('mocks/MockConfigFile.json:5:3: not valid JSON: Expected double-quoted property name');
    expect(problem('{ "StateMachines":')).toMatch(/^mocks\/MockConfigFile\.json:1:19: not valid JSON: the JSON ends too early/);
  });

  it('points at a field that breaks the documented format', () => {
    expect(problem(lines('{', '  "StateMachine": {}', '}'))).toBe('mocks/MockConfigFile.json:2:3: unknown field `StateMachine`: did you mean `StateMachines`?');
    expect(problem(lines('{', '  "MockedResponses": {', '    "Ok": { "first": { "Return": 1 } }', '  }', '}'))).toMatch(/^mocks\/MockConfigFile\.json:3:13: `first` is not an invocation number or range/);
    expect(problem(lines('{', '  "MockedResponses": {', '    "Ok": { "0-2": { "Return": 1 }, "2": { "Return": 2 } }', '  }', '}'))).toMatch(/:3:13: invocations `0-2` overlap `2`/);
    expect(problem(lines('{', '  "MockedResponses": {', '    "Ok": { "0": { "Return": 1, "Throw": { "Error": "E" } } }', '  }', '}'))).toMatch(/:3:18: invocation `0` of `Ok` must have exactly one of Return or Throw/);
    expect(problem(lines('{', '  "StateMachines": {', '    "orders": { "TestCases": { "Happy": { "Charge": 7 } } }', '  }', '}'))).toMatch(/:3:53: state `Charge` of test case `Happy` must name a mocked response/);
  });

  it('reads a valid file as it is', () => {
    const text = JSON.stringify({ StateMachines: { orders: { TestCases: { Happy: { Charge: 'Paid' } } } }, MockedResponses: { Paid: { '0': { Return: { ok: true } }, '1-2': { Throw: { Error: 'Busy', Cause: 'later' } } } } });
    expect(parseMockConfig(text, 'mocks.json').config).toEqual(JSON.parse(text));
  });
});

describe('MockFile', () => {
  let workspace: { dir: string; cleanup: () => void };
  beforeAll(() => {
    workspace = tempDir('deliv-mocks-');
    mkdirSync(path.join(workspace.dir, 'mocks'));
  });
  afterAll(() => workspace.cleanup());

  it('names a response a test case uses but no file defines, at the test case line, relative to the project', () => {
    const file = path.join(workspace.dir, 'mocks/MockConfigFile.json');
    writeFileSync(file, lines('{', '  "StateMachines": { "orders": { "TestCases": { "Happy": {', '    "Charge": "Payd"', '  } } } },', '  "MockedResponses": { "Paid": { "0": { "Return": 1 } } }', '}'));
    const mocks = new MockFile(file, [], workspace.dir);
    expect(() => mocks.hasTestCase('orders', 'Happy')).toThrow('mocks/MockConfigFile.json:3:15: test case `Happy` of `orders` mocks state `Charge` with `Payd`, which MockedResponses does not define (did you mean `Paid`?)');
  });

  it('looks names up as the file’s own keys: a state or test case called `constructor` or `toString` is not mocked by Object.prototype', () => {
    const file = path.join(workspace.dir, 'mocks/proto.json');
    writeFileSync(file, JSON.stringify({ StateMachines: { orders: { TestCases: { Happy: { Charge: 'Paid' } } } }, MockedResponses: { Paid: { '0': { Return: 1 } } } }));
    const mocks = new MockFile(file, [], workspace.dir);
    expect(mocks.hasTestCase('orders', 'constructor')).toBe(false);
    expect(mocks.hasTestCase('toString', 'Happy')).toBe(false);
    expect(mocks.lookup('orders', 'Happy', 'toString', 0)).toBeUndefined();
    expect(mocks.lookup('orders', 'Happy', 'Charge', 0)).toEqual({ kind: 'return', value: 1 });
  });
});
