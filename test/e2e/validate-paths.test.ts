/**
 * `deliv validate` judges every JSONPath with the grammar the emulator compiles (issue 14: one set
 * of rules): each path in test/fixtures/paths/rejected is an error at its field with AWS's code and
 * the message in rejected.json, the one test/local/path-parity.test.ts expects from the emulator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const fixtures = path.join(REPO_ROOT, 'test/fixtures/paths');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'rejected.json'), 'utf8')) as Record<string, { code: string; pointer: string; message: string }>;

describe('deliv validate FILE on JSONPath', () => {
  it('has an expectation for every refused path', () => {
    expect(readdirSync(path.join(fixtures, 'rejected')).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s is an error naming the field, with the parser\'s reason', async (file, { code, pointer, message }) => {
    const result = await runCli(['validate', path.join(fixtures, 'rejected', file)]);
    expect(result.exitCode).toBe(2);
    const errors = result.stdout.split('\n').filter((line) => line.includes(': error: '));
    expect(errors).toEqual([expect.stringContaining(`: error: ${message} [Pick] (${code} at ${pointer})`)]);
  });

  it('accepts the Jayway forms AWS accepts', async () => {
    const result = await runCli(['validate', path.join(fixtures, 'accepted', 'jayway-forms.asl.json')]);
    expect(result.stdout).not.toContain('error');
    expect(result.exitCode).toBe(0);
  });
});
