/**
 * The AWS-recorded conformance cases (test/conformance/cases/*.json) and
 * how a result is checked against one. Shared by the engine suite and the
 * emulator's HTTP suite, so both judge by the same rules: output compared as
 * JSON, error and cause strings exactly, `ignore` pointers only need to exist,
 * `patterns` pointers must match their regular expression.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue, StateMachineDefinition } from '../../src/asl/types.js';
import { CONFORMANCE_CASES_DIR, corpusFiles } from './corpus.js';

/**
 * Suites over the AWS-recorded cases name themselves with this prefix, so the
 * summary reporter can say how many cases each one ran.
 */
export const CONFORMANCE_SUITE = 'AWS-recorded cases';

export interface ConformanceCase {
  /** File name without `.json`. */
  id: string;
  name: string;
  feature: string;
  definition: StateMachineDefinition;
  input: JsonValue;
  expected: {
    status: 'SUCCEEDED' | 'FAILED';
    output?: JsonValue;
    error?: string;
    cause?: string;
    ignore?: string[];
    patterns?: Record<string, string>;
  };
}

export interface ObservedResult {
  status: string;
  output?: JsonValue;
  error?: string;
  cause?: string;
}

/** Every case, sorted by id; throws (failing the suite) when the corpus is missing or empty. */
export function loadConformanceCases(dir = CONFORMANCE_CASES_DIR): ConformanceCase[] {
  return corpusFiles(dir).map((file) => ({ id: file.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<ConformanceCase, 'id'>) }));
}

function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(value: JsonValue | undefined, pointer: string): { found: boolean; value?: JsonValue } {
  let node = value;
  for (const token of pointerTokens(pointer)) {
    if (node === null || typeof node !== 'object' || !(token in node)) return { found: false };
    node = (node as Record<string, JsonValue>)[token];
  }
  return { found: node !== undefined, value: node };
}

function without(value: JsonValue | undefined, pointers: string[]): JsonValue | undefined {
  if (value === undefined || pointers.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(value)) as JsonValue;
  for (const pointer of pointers) {
    const tokens = pointerTokens(pointer);
    const last = tokens.pop();
    let node: JsonValue | undefined = copy;
    for (const token of tokens) node = node !== null && typeof node === 'object' ? (node as Record<string, JsonValue>)[token] : undefined;
    if (last !== undefined && node !== null && typeof node === 'object') delete (node as Record<string, JsonValue>)[last];
  }
  return copy;
}

function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
    .join(',')}}`;
}

/** Every way `observed` differs from what AWS recorded; empty when it conforms. */
export function conformanceMismatches(testCase: ConformanceCase, observed: ObservedResult): string[] {
  const expected = testCase.expected;
  const problems: string[] = [];
  if (observed.status !== expected.status) problems.push(`status: expected ${expected.status}, got ${observed.status} (${observed.error ?? ''}: ${observed.cause ?? ''})`);
  if (expected.status === 'FAILED') {
    if ((observed.error ?? undefined) !== expected.error) problems.push(`error: expected ${JSON.stringify(expected.error)}, got ${JSON.stringify(observed.error)}`);
    if ((observed.cause ?? undefined) !== expected.cause) problems.push(`cause: expected ${JSON.stringify(expected.cause)}, got ${JSON.stringify(observed.cause)}`);
    return problems;
  }
  const ignored = [...(expected.ignore ?? []), ...Object.keys(expected.patterns ?? {})];
  for (const pointer of ignored) {
    if (!at(observed.output, pointer).found) problems.push(`output${pointer}: missing`);
  }
  for (const [pointer, pattern] of Object.entries(expected.patterns ?? {})) {
    const found = at(observed.output, pointer);
    if (found.found && !new RegExp(pattern).test(typeof found.value === 'string' ? found.value : JSON.stringify(found.value))) {
      problems.push(`output${pointer}: ${JSON.stringify(found.value)} does not match /${pattern}/`);
    }
  }
  const want = canonical(without(expected.output, ignored));
  const got = canonical(without(observed.output, ignored));
  if (want !== got) problems.push(`output: expected ${want}, got ${got}`);
  return problems;
}
