/**
 * Checks a case's `expect:` against what the execution did. The first
 * mismatch of the path comes first (where the run went another way is what a
 * reader needs), then status, error, output and the rest.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { detailsOf, indexHistory } from '../asl/history.js';
import type { JsonValue } from '../asl/types.js';
import { compilePath, jsonEquals } from '../engine/jsonpath.js';
import type { TestStateResult, TestStateStatus } from '../engine/test-state.js';
import type { ExecutionResult } from '../engine/types.js';
import type { Expectation, InspectionExpectation } from './file.js';
import type { ExecutionFacts } from './history.js';

export interface Mismatch {
  /** Which expectation: `path`, `status`, `output`, `outputPaths.$.a`, `retries.Charge`, ... */
  field: string;
  message: string;
  expected?: JsonValue;
  actual?: JsonValue;
  /** For a path: where the run diverged. */
  divergence?: { index: number; expected?: string; actual?: string; after?: string; event?: string };
}

export interface Actual {
  status: ExecutionResult['status'] | TestStateStatus;
  /** A state test's next state. */
  nextState?: string;
  /** A state test's inspection data, values parsed. */
  inspection?: InspectionExpectation;
  output?: JsonValue;
  error?: string;
  cause?: string;
  path: string[];
  retries: Record<string, number>;
  transitions: number;
  variables: Record<string, JsonValue>;
}

export function actualOf(result: ExecutionResult, facts: ExecutionFacts): Actual {
  return {
    status: result.status,
    ...(result.output !== undefined ? { output: result.output } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.cause !== undefined ? { cause: result.cause } : {}),
    path: facts.path,
    retries: facts.retries,
    transitions: facts.transitions,
    variables: facts.variables,
  };
}

/** An event worth naming at a divergence: what happened just before the run went elsewhere. */
function describeEvent(event: HistoryEvent | undefined): string | undefined {
  if (!event) return undefined;
  const info = (detailsOf(event) ?? {});
  const parts = [`#${event.id} ${event.type}`];
  if (typeof info.error === 'string') parts.push(`error ${info.error}`);
  if (typeof info.cause === 'string' && info.cause) parts.push(`cause ${JSON.stringify(info.cause.length > 120 ? `${info.cause.slice(0, 117)}...` : info.cause)}`);
  return parts.join(', ');
}

export function pathDivergence(expected: readonly string[], actual: readonly string[], events: readonly HistoryEvent[]): Mismatch['divergence'] | undefined {
  let index = 0;
  while (index < expected.length && index < actual.length && expected[index] === actual[index]) index += 1;
  if (index === expected.length && index === actual.length) return undefined;
  const history = indexHistory(events);
  // The event the divergent entry follows (a failure, a Choice's exit), else the end of the run.
  const at = history.visits[index]?.entered;
  const before = at ? history.event(at.previousEventId ?? 0) : events[events.length - 1];
  return { index, expected: expected[index], actual: actual[index], after: index > 0 ? actual[index - 1] : undefined, event: describeEvent(before) };
}

/** `partial` matches when every field it has is in `actual` with a matching value; arrays match item by item. */
export function partialMatch(partial: JsonValue, actual: JsonValue | undefined): boolean {
  if (actual === undefined) return false;
  if (partial === null || typeof partial !== 'object') return jsonEquals(partial, actual);
  if (Array.isArray(partial)) return Array.isArray(actual) && partial.length === actual.length && partial.every((item, i) => partialMatch(item, actual[i]));
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.entries(partial).every(([key, value]) => partialMatch(value, (actual as Record<string, JsonValue>)[key]));
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return jsonEquals(a, b);
}

export function checkExpectation(expect: Expectation, actual: Actual, events: readonly HistoryEvent[]): Mismatch[] {
  const mismatches: Mismatch[] = [];
  if (expect.path) {
    const divergence = pathDivergence(expect.path, actual.path, events);
    if (divergence) {
      const where = divergence.after ? `after ${divergence.after}` : 'at the start';
      const message =
        divergence.expected === undefined
          ? `the run went on ${where} to ${divergence.actual}, the expected path ended there`
          : divergence.actual === undefined
            ? `the run stopped ${where}; expected ${divergence.expected} next`
            : `diverged ${where}: expected ${divergence.expected}, entered ${divergence.actual}`;
      mismatches.push({ field: 'path', message, expected: expect.path, actual: actual.path, divergence });
    }
  }
  for (const state of expect.visits ?? []) {
    if (!actual.path.includes(state)) mismatches.push({ field: 'visits', message: `never entered ${state}`, expected: state });
  }
  for (const state of expect.neverVisits ?? []) {
    if (actual.path.includes(state)) mismatches.push({ field: 'neverVisits', message: `entered ${state}`, actual: state });
  }
  if (expect.status !== undefined && expect.status !== actual.status) {
    mismatches.push({ field: 'status', message: `status ${actual.status}, expected ${expect.status}`, expected: expect.status, actual: actual.status });
  }
  if (expect.error !== undefined && expect.error !== actual.error) {
    mismatches.push({ field: 'error', message: `error ${actual.error ?? '(none)'}, expected ${expect.error}`, expected: expect.error, actual: actual.error ?? null });
  }
  if (expect.errorMatches !== undefined && !new RegExp(expect.errorMatches).test(actual.error ?? '')) {
    mismatches.push({ field: 'errorMatches', message: `error ${actual.error ?? '(none)'} does not match /${expect.errorMatches}/`, expected: expect.errorMatches, actual: actual.error ?? null });
  }
  if (expect.cause !== undefined && expect.cause !== actual.cause) {
    mismatches.push({ field: 'cause', message: 'the cause differs', expected: expect.cause, actual: actual.cause ?? null });
  }
  if (expect.causeMatches !== undefined && !new RegExp(expect.causeMatches).test(actual.cause ?? '')) {
    mismatches.push({ field: 'causeMatches', message: `the cause does not match /${expect.causeMatches}/`, expected: expect.causeMatches, actual: actual.cause ?? null });
  }
  if (expect.output !== undefined && !same(expect.output, actual.output)) {
    mismatches.push({ field: 'output', message: 'the output differs', expected: expect.output, actual: actual.output ?? null });
  }
  if (expect.outputMatches !== undefined && !partialMatch(expect.outputMatches, actual.output)) {
    mismatches.push({ field: 'outputMatches', message: 'the output does not contain the expected fields', expected: expect.outputMatches, actual: actual.output ?? null });
  }
  for (const [path, value] of Object.entries(expect.outputPaths ?? {})) {
    let found: JsonValue | undefined;
    try {
      found = actual.output === undefined ? undefined : compilePath(path)(actual.output);
    } catch (error) {
      mismatches.push({ field: `outputPaths.${path}`, message: `not a JSONPath: ${(error as Error).message}` });
      continue;
    }
    if (!same(value, found)) mismatches.push({ field: `outputPaths.${path}`, message: `${path} is ${found === undefined ? 'missing' : JSON.stringify(found)}, expected ${JSON.stringify(value)}`, expected: value, actual: found ?? null });
  }
  for (const [state, count] of Object.entries(expect.retries ?? {})) {
    const seen = actual.retries[state] ?? 0;
    if (seen !== count) mismatches.push({ field: `retries.${state}`, message: `${state} was retried ${seen} time${seen === 1 ? '' : 's'}, expected ${count}`, expected: count, actual: seen });
  }
  if (expect.transitions !== undefined && expect.transitions !== actual.transitions) {
    mismatches.push({ field: 'transitions', message: `${actual.transitions} transitions, expected ${expect.transitions}`, expected: expect.transitions, actual: actual.transitions });
  }
  for (const [name, value] of Object.entries(expect.variables ?? {})) {
    if (!same(value, actual.variables[name])) mismatches.push({ field: `variables.${name}`, message: `$${name} differs`, expected: value, actual: actual.variables[name] ?? null });
  }
  return mismatches;
}

/** What a state test's TestState run did, in the shape path tests use (its path: the state, then where it goes). */
export function actualOfState(state: string, result: TestStateResult): Actual {
  const parse = (text: string | undefined): JsonValue | undefined => (text === undefined ? undefined : (JSON.parse(text) as JsonValue));
  const data = result.inspectionData ?? {};
  const inspection: InspectionExpectation = {};
  for (const stage of ['afterInputPath', 'afterParameters', 'afterArguments', 'result', 'afterResultSelector', 'afterResultPath', 'variables'] as const) {
    const value = parse(data[stage]);
    if (value !== undefined) inspection[stage] = value;
  }
  for (const [key, value] of Object.entries(data.errorDetails ?? {})) if (typeof value === 'number') inspection[key as 'retryIndex'] = value;
  const variables = inspection.variables;
  return {
    status: result.status,
    ...(result.output !== undefined ? { output: parse(result.output) } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.cause !== undefined ? { cause: result.cause } : {}),
    ...(result.nextState !== undefined ? { nextState: result.nextState } : {}),
    inspection,
    path: result.nextState === undefined ? [state] : [state, result.nextState],
    retries: {},
    transitions: 0,
    variables: variables && typeof variables === 'object' && !Array.isArray(variables) ? variables : {},
  };
}

/** A state test's expectation: the shared fields, then TestState's nextState and inspection data. */
export function checkStateExpectation(expect: Expectation, actual: Actual): Mismatch[] {
  const mismatches = checkExpectation(expect, actual, []);
  if (expect.nextState !== undefined && expect.nextState !== actual.nextState) {
    mismatches.push({ field: 'nextState', message: actual.nextState === undefined ? `no next state (the state ends here or fails), expected ${expect.nextState}` : `goes to ${actual.nextState}, expected ${expect.nextState}`, expected: expect.nextState, actual: actual.nextState ?? null });
  }
  for (const [key, value] of Object.entries(expect.inspection ?? {}) as [keyof InspectionExpectation, JsonValue][]) {
    const seen = actual.inspection?.[key];
    if (!same(value, seen)) mismatches.push({ field: `inspection.${key}`, message: seen === undefined ? `no ${key} in the inspection data` : `${key} differs`, expected: value, actual: seen ?? null });
  }
  return mismatches;
}
