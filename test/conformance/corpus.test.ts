/**
 * The corpora live in the repository, and a suite over one that is missing or
 * empty fails with a message saying which, rather than passing on nothing.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { loadConformanceCases } from '../helpers/conformance.js';
import { AWS_FIXTURES_DIR, awsFixture, CONFORMANCE_CASES_DIR, CONFORMANCE_HISTORY_DIR, corpusFiles } from '../helpers/corpus.js';

describe('the corpora in the repository', () => {
  it('holds the 140 AWS-recorded cases, the recorded histories and the AWS response fixtures', () => {
    expect(loadConformanceCases()).toHaveLength(140);
    expect(corpusFiles(CONFORMANCE_HISTORY_DIR).length).toBeGreaterThan(200);
    expect(corpusFiles(AWS_FIXTURES_DIR)).toContain('sfn-get-execution-history-failed.json');
    for (const dir of [CONFORMANCE_CASES_DIR, CONFORMANCE_HISTORY_DIR]) expect(path.relative(path.resolve('test'), dir)).not.toMatch(/^\.\./);
  });

  it('fails, naming the folder, when a corpus is missing', () => {
    const temp = tempDir();
    try {
      expect(() => loadConformanceCases(path.join(temp.dir, 'cases'))).toThrow(/corpus .*cases is missing/);
    } finally {
      temp.cleanup();
    }
  });

  it('fails, naming the folder, when a corpus is empty', () => {
    const temp = tempDir();
    try {
      mkdirSync(path.join(temp.dir, 'history'));
      expect(() => corpusFiles(path.join(temp.dir, 'history'))).toThrow(/corpus .*history is empty/);
    } finally {
      temp.cleanup();
    }
  });

  it('fails, naming the file, when an AWS fixture is missing', () => {
    expect(() => awsFixture('no-such-response.json')).toThrow(/test\/fixtures\/aws\/no-such-response\.json is missing/);
  });

  it('is all the suite reads: no test, helper or script looks beside the repository for ../shared', () => {
    const sources = ['test', 'scripts', 'bench'].flatMap((folder) =>
      readdirSync(path.join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(ts|mjs|js)$/.test(file) && !file.includes('node_modules'))
        .map((file) => path.join(folder, file)),
    );
    expect(sources.length).toBeGreaterThan(100);
    // A path to the team folder beside the clone, however it is spelt: '../shared', '..', 'shared'.
    const outside = /\.\.[\\/]shared\b|['"]\.\.['"],\s*['"]shared['"]/;
    const readers = sources.filter((file) => file !== path.join('test/conformance/corpus.test.ts') && outside.test(readFileSync(path.join(REPO_ROOT, file), 'utf8')));
    expect(readers).toEqual([]);
  });
});
