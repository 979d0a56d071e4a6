/**
 * The AWS-recorded whole histories (test/conformance/history/*.json) and how
 * an emulator's history is judged against one, by the rules of that folder's
 * README: timestamps dropped, JSON-looking strings parsed as the recording
 * tool did, the run's own names, account, region and partition mapped to the
 * recording's markers, then event by event with placeholders as wildcards
 * (bound consistently) and whole-value wildcard words matching anything.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue, StateMachineDefinition } from '../../src/asl/types.js';
import { CONFORMANCE_HISTORY_DIR, corpusFiles } from './corpus.js';

export interface HistoryCase {
  /** File name without `.json`. */
  id: string;
  name: string;
  feature: string;
  services: string[];
  definition: StateMachineDefinition;
  input: JsonValue;
  bindings: { value: string; marker: string; inferred?: boolean }[];
  markers: {
    machine_name: string;
    execution_name: string | null;
    machine_name_template: string;
    execution_name_template: string;
    role_arn: string;
    literal: string[];
    wildcard_words: string[];
    wildcards: string[];
  };
  mocks: { TestCase: Record<string, string>; MockedResponses: Record<string, JsonValue> };
  expected: { status: string; output?: JsonValue; error?: string; cause?: string; events: Record<string, JsonValue>[] };
}

export function loadHistoryCases(dir = CONFORMANCE_HISTORY_DIR): HistoryCase[] {
  return corpusFiles(dir).map((file) => ({ id: file.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<HistoryCase, 'id'>) }));
}

/** The test case name the runner gives every recorded execution in the MockConfigFile. */
export const HISTORY_TEST_CASE = 'HistoryCase';

export function hasMocks(testCase: HistoryCase): boolean {
  return Object.keys(testCase.mocks.TestCase).length > 0;
}

/** A machine or execution name in the recording's shape (`{uid}`, `{uuid}` filled in). */
export function nameFrom(template: string, index: number): string {
  return template.replace('{uid}', index.toString(16).padStart(8, '0')).replace('{uuid}', crypto.randomUUID());
}

/** One MockConfigFile for all cases: a `StateMachines` entry per machine, response names prefixed by it. */
export function mockConfigFor(entries: { machineName: string; testCase: HistoryCase }[]): JsonValue {
  const machines: Record<string, JsonValue> = {};
  const responses: Record<string, JsonValue> = {};
  for (const { machineName, testCase } of entries) {
    if (!hasMocks(testCase)) continue;
    const states: Record<string, string> = {};
    for (const [state, response] of Object.entries(testCase.mocks.TestCase)) states[state] = `${machineName}.${response}`;
    machines[machineName] = { TestCases: { [HISTORY_TEST_CASE]: states } };
    for (const [response, body] of Object.entries(testCase.mocks.MockedResponses)) responses[`${machineName}.${response}`] = body;
  }
  return { StateMachines: machines, MockedResponses: responses };
}

type Json = JsonValue | undefined;

/** The recording tool's parse: in every object, a string value starting with `{` becomes its parsed value (not parsed further). */
function parseObjectStrings(value: Json): Json {
  if (Array.isArray(value)) return value.map((item) => (item !== null && typeof item === 'object' ? parseObjectStrings(item) : item)) as JsonValue;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' && item.startsWith('{')) {
      try {
        out[key] = JSON.parse(item) as JsonValue;
        continue;
      } catch {
        // not JSON: kept as the string it is
      }
    }
    out[key] = (item !== null && typeof item === 'object' ? parseObjectStrings(item) : item) as JsonValue;
  }
  return out;
}

function mapStrings(value: Json, map: (text: string) => string): Json {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map)) as JsonValue;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)])) as JsonValue;
}

export interface RunIdentity {
  /** Resources the run created in place of the recording's (an activity's ARN in this account): [created, recorded]. */
  resources?: [string, string][];
  machineName: string;
  executionName: string;
  roleArn: string;
  account: string;
  region: string;
}

/** The emulator's events as the recording tool would have written them. */
export function normaliseObserved(events: Record<string, unknown>[], testCase: HistoryCase, run: RunIdentity): Record<string, JsonValue>[] {
  const replacements: [string, string][] = [
    ...(run.resources ?? []),
    ...testCase.bindings.map((binding) => [binding.value, binding.marker] as [string, string]),
    [run.roleArn, testCase.markers.role_arn],
    [run.machineName, testCase.markers.machine_name],
    ...(testCase.markers.execution_name ? [[run.executionName, testCase.markers.execution_name] as [string, string]] : []),
    [run.account, '111111111111'],
    [run.region, '<region>'],
    ['us-east-1', '<region>'],
    ['arn:aws:', 'arn:<partition>:'],
  ];
  const replace = (text: string) => replacements.reduce((acc, [from, to]) => (from ? acc.split(from).join(to) : acc), text);
  return events.map((event) => {
    const { timestamp: _dropped, ...rest } = event;
    return mapStrings(parseObjectStrings(JSON.parse(JSON.stringify(rest)) as JsonValue), replace) as Record<string, JsonValue>;
  });
}

/** Details fields compared as JSON values: their JSON text is parsed on both sides. */
const JSON_FIELDS = new Set(['input', 'output', 'parameters', 'cause']);

function asJson(value: Json): Json {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}

function jsonFields(value: Json, key?: string, inAssigned = false, side: 'expected' | 'observed' = 'observed'): Json {
  // The recording holds assignedVariables values already decoded ("0" for the text "\"0\""): decode only ours.
  if (inAssigned) return side === 'observed' ? asJson(value) : value;
  if (key !== undefined && JSON_FIELDS.has(key)) return asJson(value);
  if (Array.isArray(value)) return value.map((item) => jsonFields(item, undefined, false, side)) as JsonValue;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, item]) => [
      k,
      k === 'assignedVariables' && item !== null && typeof item === 'object' && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).map(([name, v]) => [name, jsonFields(v, undefined, true, side)]))
        : jsonFields(item, k, false, side),
    ]),
  ) as JsonValue;
}

const PLACEHOLDER = /<[^<>\s"]+>/g;

class Matcher {
  private readonly bound = new Map<string, string>();
  private readonly literal: Set<string>;
  private readonly words: Set<string>;

  constructor(testCase: HistoryCase) {
    this.literal = new Set(testCase.markers.literal);
    this.words = new Set(testCase.markers.wildcard_words);
  }

  /** Where `observed` differs from `expected` (JSON pointer and why), or undefined when it matches. */
  diff(expected: Json, observed: Json, at: string): string | undefined {
    if (typeof expected === 'string') {
      if (this.words.has(expected) || expected === '<masked>') return observed === undefined ? `${at}: missing` : undefined;
      if (typeof observed === 'string') return this.matchString(expected, observed) ? undefined : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(observed)}`;
      const whole = /^<[^<>\s"]+>$/.test(expected) && !this.literal.has(expected);
      if (whole && observed !== undefined && this.matchString(expected, JSON.stringify(observed))) return undefined;
      // A recorded decoded value such as "42" or "[1,2]" against ours, decoded from its JSON text.
      const parsed = at.includes('/assignedVariables/') ? asJson(expected) : expected;
      if (typeof parsed !== 'string' && observed !== undefined && this.diff(parsed, observed, at) === undefined) return undefined;
      return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(observed)}`;
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(observed)) return `${at}: expected an array, got ${JSON.stringify(observed)}`;
      if (observed.length !== expected.length) return `${at}: expected ${expected.length} items, got ${observed.length}: ${JSON.stringify(observed)}`;
      for (let i = 0; i < expected.length; i++) {
        const problem = this.diff(expected[i], observed[i], `${at}/${i}`);
        if (problem) return problem;
      }
      return undefined;
    }
    if (expected !== null && typeof expected === 'object') {
      if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return `${at}: expected an object, got ${JSON.stringify(observed)}`;
      for (const key of Object.keys(expected)) {
        if (!(key in observed)) return `${at}/${key}: missing (expected ${JSON.stringify(expected[key])})`;
        const problem = this.diff(expected[key], observed[key], `${at}/${key}`);
        if (problem) return problem;
      }
      const extra = Object.keys(observed).filter((key) => !(key in expected));
      if (extra.length > 0) return `${at}: unexpected ${extra.map((key) => `${key}=${JSON.stringify(observed[key])}`).join(', ')}`;
      return undefined;
    }
    return expected === observed ? undefined : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(observed)}`;
  }

  /** A string with placeholders: literal markers exact, the others themselves or any text, the same text each time. */
  private matchString(expected: string, observed: string): boolean {
    if (expected === observed) return true;
    const names: string[] = [];
    let pattern = '';
    let last = 0;
    for (const match of expected.matchAll(PLACEHOLDER)) {
      pattern += escape(expected.slice(last, match.index));
      last = match.index + match[0].length;
      const name = match[0];
      if (this.literal.has(name)) pattern += escape(name);
      else if (this.bound.has(name)) pattern += `(?:${escape(name)}|${escape(this.bound.get(name)!)})`;
      else if (names.includes(name)) pattern += `\\k<p${names.indexOf(name)}>`;
      else {
        pattern += `(?<p${names.length}>[\\s\\S]*?)`;
        names.push(name);
      }
    }
    pattern += escape(expected.slice(last));
    if (names.length === 0 && last === 0) return false;
    const found = new RegExp(`^${pattern}$`).exec(observed);
    if (!found) return false;
    names.forEach((name, i) => {
      const value = found.groups?.[`p${i}`];
      if (value !== undefined && value !== name) this.bound.set(name, value);
    });
    return true;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every way the observed history differs from the recorded one; empty when it is reproduced event by event. */
export function historyMismatches(testCase: HistoryCase, observed: Record<string, JsonValue>[]): string[] {
  const matcher = new Matcher(testCase);
  const expected = testCase.expected.events.map((event) => jsonFields(event, undefined, false, 'expected') as Record<string, JsonValue>);
  const got = observed.map((event) => jsonFields(event) as Record<string, JsonValue>);
  const problems: string[] = [];
  const count = Math.max(expected.length, got.length);
  for (let i = 0; i < count; i++) {
    const want = expected[i];
    const have = got[i];
    if (!want) {
      problems.push(`event ${i + 1}: unexpected ${have.type as string} ${JSON.stringify(have)}`);
      break;
    }
    if (!have) {
      problems.push(`event ${i + 1}: missing ${want.type as string} ${JSON.stringify(want)}`);
      break;
    }
    if (want.type !== have.type) {
      problems.push(`event ${i + 1}: expected ${want.type as string}, got ${have.type as string} ${JSON.stringify(have)}`);
      break;
    }
    const problem = matcher.diff(want, have, `event ${i + 1} (${want.type as string})`);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Whether a worker took the case's activity tasks: AWS names the polling
 * worker in ActivityStarted (GetActivityTask's workerName), which a mocked
 * task cannot give, so the runner answers such tasks as a worker instead of
 * through the MockConfigFile (with the recorded answers, in order).
 */
export function answeredByWorker(testCase: HistoryCase): boolean {
  return testCase.expected.events.some((event) => event.type === 'ActivityStarted' && (event.activityStartedEventDetails as Record<string, JsonValue> | undefined)?.workerName !== undefined);
}

/** A recorded answer of an activity task: the mocked response's Return (SendTaskSuccess) or Throw (SendTaskFailure). */
export type ActivityAnswer = { output: string } | { error?: string; cause?: string };

/** The activities of a case's Task states, with the recorded answers of each in order (from its mocked responses). */
export function activityAnswers(testCase: HistoryCase): { activityArn: string; answers: ActivityAnswer[] }[] {
  const resources = new Map<string, string>();
  const walk = (value: JsonValue): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      const states = value.States;
      if (states && typeof states === 'object' && !Array.isArray(states)) {
        for (const [name, state] of Object.entries(states)) {
          const resource = state && typeof state === 'object' && !Array.isArray(state) ? state.Resource : undefined;
          if (typeof resource === 'string' && /:activity:/.test(resource)) resources.set(name, resource);
        }
      }
      Object.values(value).forEach(walk);
    }
  };
  walk(testCase.definition as unknown as JsonValue);
  return [...resources].map(([state, activityArn]) => {
    const responses = (testCase.mocks.MockedResponses[testCase.mocks.TestCase[state]] ?? {}) as Record<string, { Return?: JsonValue; Throw?: { Error?: string; Cause?: string } }>;
    const answers = Object.keys(responses)
      .sort((a, b) => Number(a) - Number(b))
      .map((key): ActivityAnswer => {
        const response = responses[key];
        return response.Throw ? { error: response.Throw.Error, cause: response.Throw.Cause } : { output: JSON.stringify(response.Return ?? null) };
      });
    return { activityArn, answers };
  });
}
