/**
 * `deliv test --update`: the snapshot workflow. What failing cases actually did
 * (status, path, output or error, and every other expectation that did not hold)
 * is written into their `expect:`, through the yaml Document API so that the
 * file's comments, anchors and layout stay as the author wrote them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { JsonValue } from '../asl/types.js';
import { unifiedDiff } from '../deploy/diff.js';
import type { CaseResult } from './runner.js';

export interface FileUpdate {
  file: string;
  cases: string[];
  /** A unified diff of the file, for the terminal. */
  diff: string[];
}

type ExpectEdit = { set: Record<string, JsonValue>; remove: string[] };

/** The changes that make a failing case's `expect:` match what happened. */
export function expectationEdits(result: CaseResult): ExpectEdit {
  const actual = result.actual;
  if (!actual) return { set: {}, remove: [] };
  const failed = new Set(result.mismatches.map((m) => m.field.split('.')[0]));
  const stateTest = actual.inspection !== undefined;
  const set: Record<string, JsonValue> = stateTest ? { status: actual.status } : { status: actual.status, path: actual.path };
  const remove: string[] = [];
  if (stateTest) {
    if (actual.nextState !== undefined) set.nextState = actual.nextState;
    else remove.push('nextState');
    if (failed.has('inspection')) set.inspection = actual.inspection as JsonValue;
  }
  if (actual.status === 'CAUGHT_ERROR') {
    // Caught: TestState gives both the catcher's output and the error it caught.
    set.output = actual.output ?? null;
    if (actual.error !== undefined) set.error = actual.error;
    remove.push('outputMatches', 'outputPaths', 'errorMatches');
  } else if (actual.status === 'SUCCEEDED') {
    set.output = actual.output ?? null;
    remove.push('error', 'errorMatches', 'cause', 'causeMatches');
    if (failed.has('outputMatches')) remove.push('outputMatches');
    if (failed.has('outputPaths')) remove.push('outputPaths');
  } else {
    remove.push('output', 'outputMatches', 'outputPaths');
    if (actual.error !== undefined) set.error = actual.error;
    if (actual.cause !== undefined && (failed.has('cause') || failed.has('causeMatches'))) set.cause = actual.cause;
    if (failed.has('errorMatches')) remove.push('errorMatches');
    if (failed.has('causeMatches')) remove.push('causeMatches');
  }
  // The recorded path says it all; lists that no longer hold go.
  if (failed.has('visits')) remove.push('visits');
  if (failed.has('neverVisits')) remove.push('neverVisits');
  if (failed.has('retries')) set.retries = actual.retries;
  if (failed.has('transitions')) set.transitions = actual.transitions;
  if (failed.has('variables')) set.variables = actual.variables;
  return { set, remove: remove.filter((key) => !(key in set)) };
}

function applyToYaml(document: Document, index: number, edit: ExpectEdit): void {
  if (!document.hasIn(['cases', index, 'expect']) || !isMap(document.getIn(['cases', index, 'expect'], true))) {
    document.setIn(['cases', index, 'expect'], document.createNode({}));
  }
  for (const key of edit.remove) document.deleteIn(['cases', index, 'expect', key]);
  for (const [key, value] of Object.entries(edit.set)) {
    const existing = document.getIn(['cases', index, 'expect', key], true);
    // A scalar keeps its node, and so its comment.
    if (isScalar(existing) && (value === null || typeof value !== 'object')) {
      existing.value = value;
      continue;
    }
    // Short lists and scalars read best inline, as the scaffolded files write them.
    const node = document.createNode(value, { flow: key === 'path' || key === 'retries' });
    document.setIn(['cases', index, 'expect', key], node);
  }
}

/** Writes the actual outcome of every failing case into its file; returns what changed. */
export function updateTestFile(file: string, results: readonly CaseResult[], display = file): FileUpdate | undefined {
  const failing = results.filter((result) => result.status === 'failed' && result.actual);
  if (failing.length === 0) return undefined;
  const before = readFileSync(file, 'utf8');
  let after: string;
  if (file.endsWith('.json')) {
    const data = JSON.parse(before) as { cases: { expect?: Record<string, JsonValue> }[] };
    for (const result of failing) {
      const edit = expectationEdits(result);
      const expect = (data.cases[result.index].expect ??= {});
      for (const key of edit.remove) delete expect[key];
      Object.assign(expect, edit.set);
    }
    after = `${JSON.stringify(data, null, 2)}\n`;
  } else {
    const document = parseDocument(before, { merge: true });
    for (const result of failing) applyToYaml(document, result.index, expectationEdits(result));
    after = document.toString({ lineWidth: 0 });
  }
  if (after === before) return undefined;
  writeFileSync(file, after);
  return { file: display, cases: failing.map((result) => result.name), diff: unifiedDiff(before, after, { before: display, after: `${display} (updated)` }) };
}
