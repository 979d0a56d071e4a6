/**
 * The corpora the suite judges by, all inside the repository (copied in with
 * their source; see each folder's README). A corpus that is missing or empty
 * throws while the test file loads, so the suite fails and says which one and
 * why: it never passes by running nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

/** 140 AWS-recorded executions (definition, input, final result). */
export const CONFORMANCE_CASES_DIR = path.join(REPO_ROOT, 'test/conformance/cases');
/** AWS-recorded executions with their whole GetExecutionHistory. */
export const CONFORMANCE_HISTORY_DIR = path.join(REPO_ROOT, 'test/conformance/history');
/** Shapes of real AWS API responses (Pricing, Bedrock Runtime, Step Functions) for fake endpoints. */
export const AWS_FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures/aws');

/** The `.json` files of a corpus folder, sorted; throws when the folder is missing or holds none. */
export function corpusFiles(dir: string): string[] {
  const shown = path.relative(REPO_ROOT, dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`corpus ${shown} is missing: it is part of the repository (restore it with \`git checkout -- ${shown}\`)`);
  }
  const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`corpus ${shown} is empty: no .json files (restore it with \`git checkout -- ${shown}\`)`);
  return files;
}

/** One AWS response fixture, parsed; throws with the path when it is missing. */
export function awsFixture<T = unknown>(name: string): T {
  const file = path.join(AWS_FIXTURES_DIR, name);
  if (!existsSync(file)) throw new Error(`AWS fixture ${path.relative(REPO_ROOT, file)} is missing: it is part of the repository`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
