import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonProblem, readExecutionInput } from '../../src/deploy/input.js';
import { tempDir } from '../helpers/cli.js';

describe('jsonProblem', () => {
  it('accepts valid JSON', () => {
    expect(jsonProblem('{"a":[1,2,{"b":null}],"c":"\\u00e9"}')).toBeUndefined();
  });

  it('points at the line and column where the JSON breaks', () => {
    expect(jsonProblem('{\n  "a": 1,\n  "b" 2\n}')).toEqual({ line: 3, col: 7, message: `expected ':' after the property name, found "2"` });
    expect(jsonProblem('{"a": 1,}')).toMatchObject({ line: 1, col: 9 });
    expect(jsonProblem("{'a': 1}")).toMatchObject({ line: 1, col: 2, message: expect.stringContaining('quoted') });
    expect(jsonProblem('{"a": 1')).toMatchObject({ line: 1, col: 8, message: expect.stringContaining('end of input') });
    expect(jsonProblem('{} {}')).toMatchObject({ line: 1, col: 4, message: expect.stringContaining('after the JSON value') });
  });
});

describe('readExecutionInput', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  it('reads inline JSON, files and stdin', async () => {
    mkdirSync(path.join(dir, 'events'));
    writeFileSync(path.join(dir, 'events/ok.json'), '{"orderId": "o-1"}\n');
    expect(await readExecutionInput('{"a":1}', dir)).toBe('{"a":1}');
    expect(await readExecutionInput('events/ok.json', dir)).toBe('{"orderId": "o-1"}');
    expect(await readExecutionInput('-', dir, Readable.from(['[1,', '2]']))).toBe('[1,2]');
    expect(await readExecutionInput(undefined, dir)).toBe('{}');
  });

  it('names the file, line and column of bad JSON, as a usage error', async () => {
    writeFileSync(path.join(dir, 'bad.json'), '{\n  "orderId": o-1\n}\n');
    await expect(readExecutionInput('bad.json', dir)).rejects.toMatchObject({ message: expect.stringMatching(/^bad\.json:2:14: invalid JSON/), exitCode: 2 });
    await expect(readExecutionInput('missing.json', dir)).rejects.toMatchObject({ message: expect.stringContaining('no such file'), exitCode: 2 });
  });

  it('a folder or an empty string is a usage error on one line, naming a file to pick', async () => {
    await expect(readExecutionInput('events', dir)).rejects.toMatchObject({ message: '--input events is a folder, not a JSON file', hint: expect.stringContaining('--input events/ok.json'), exitCode: 2 });
    await expect(readExecutionInput('', dir)).rejects.toMatchObject({ message: '--input is empty', exitCode: 2 });
    await expect(readExecutionInput('  ', dir)).rejects.toMatchObject({ message: '--input is empty', exitCode: 2 });
  });
});
