/**
 * The corpora live in the repository, and a suite over one that is missing or
 * empty fails with a message saying which, rather than passing on nothing.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
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
});
