/**
 * AWS Step Functions Local's MockConfigFile: per state machine, test cases map
 * state names to named mocked responses; each response lists `Return` or
 * `Throw` by invocation ranges ("0", "1-2"). The test case comes from the
 * `#TestCase` suffix on StartExecution's ARN, else the machine's `Default`.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../asl/types.js';
import { TaskFailure } from '../engine/types.js';
import { StatesErrors } from '../asl/errors.js';
import { jsonSyntaxProblem, Places, type Place } from '../project/places.js';
import { FileProblemError } from '../ui/errors.js';
import { closest } from '../ui/suggest.js';

export interface MockConfig {
  StateMachines?: Record<string, { TestCases?: Record<string, Record<string, string>> }>;
  MockedResponses?: Record<string, Record<string, { Return?: JsonValue; Throw?: { Error?: string; Cause?: string } }>>;
}

export type MockOutcome = { kind: 'return'; value: JsonValue } | { kind: 'throw'; failure: TaskFailure };

/** A test case's state mapped to a mocked response, and where the file says so. */
interface ResponseReference {
  response: string;
  machine: string;
  testCase: string;
  state: string;
  file: string;
  place: Place;
}

interface ParsedMocks {
  config: MockConfig;
  references: ResponseReference[];
}

const TOP_LEVEL = ['StateMachines', 'MockedResponses'];
const RANGE = /^(\d+)(?:-(\d+))?$/;

/** The invocations a MockedResponses key answers, both ends included: "0" is 0–0, "1-2" is 1–2; undefined when it is no range. */
export function invocationRange(key: string): { start: number; end: number } | undefined {
  const range = RANGE.exec(key.trim());
  if (!range) return undefined;
  const start = Number(range[1]);
  return { start, end: range[2] === undefined ? start : Number(range[2]) };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A MockConfigFile read and checked against the format AWS Step Functions
 * Local documents, every problem at its file:line:col: not JSON, a field that
 * is not an object, an invocation range that is not "N" or "N-M" (or overlaps
 * another), a response that neither returns nor throws. `label` is how the
 * file is named in messages (relative to the project).
 */
export function parseMockConfig(text: string, label: string): ParsedMocks {
  const fix = `fix ${label} (the MockConfigFile format of AWS Step Functions Local); the emulator reads it again for the next execution`;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    const { place, message } = jsonSyntaxProblem(text, error);
    throw new FileProblemError(label, place.line, place.column, `not valid JSON: ${message}`, fix);
  }
  const places = new Places(text);
  const fail = (keys: (string | number)[], message: string, key = false): never => {
    const place = places.at(keys, { key });
    throw new FileProblemError(label, place.line, place.column, message, fix);
  };
  if (!isObject(config)) fail([], 'a MockConfigFile is a JSON object with StateMachines and MockedResponses');
  const top = config as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (TOP_LEVEL.includes(key)) continue;
    const guess = closest(key, TOP_LEVEL);
    fail([key], `unknown field \`${key}\`${guess ? `: did you mean \`${guess}\`?` : ` (the fields are ${TOP_LEVEL.join(' and ')})`}`, true);
  }
  const references: ResponseReference[] = [];
  const machines = top.StateMachines ?? {};
  if (!isObject(machines)) fail(['StateMachines'], 'StateMachines must be an object: state machine name → { "TestCases": { ... } }');
  for (const [machine, entry] of Object.entries(machines as Record<string, unknown>)) {
    if (!isObject(entry)) fail(['StateMachines', machine], `state machine \`${machine}\` must be an object with TestCases`);
    const cases = (entry as Record<string, unknown>).TestCases ?? {};
    if (!isObject(cases)) fail(['StateMachines', machine, 'TestCases'], 'TestCases must be an object: test case name → { state name: mocked response name }');
    for (const [testCase, states] of Object.entries(cases as Record<string, unknown>)) {
      const at = ['StateMachines', machine, 'TestCases', testCase];
      if (!isObject(states)) fail(at, `test case \`${testCase}\` must be an object: state name → mocked response name`);
      for (const [state, response] of Object.entries(states as Record<string, unknown>)) {
        if (typeof response !== 'string') fail([...at, state], `state \`${state}\` of test case \`${testCase}\` must name a mocked response (a string)`);
        references.push({ response: response as string, machine, testCase, state, file: label, place: places.at([...at, state]) });
      }
    }
  }
  const responses = top.MockedResponses ?? {};
  if (!isObject(responses)) fail(['MockedResponses'], 'MockedResponses must be an object: response name → { "0": { "Return": ... } }');
  for (const [name, byInvocation] of Object.entries(responses as Record<string, unknown>)) {
    const at = ['MockedResponses', name];
    if (!isObject(byInvocation) || Object.keys(byInvocation).length === 0) fail(at, `mocked response \`${name}\` must be an object of invocations: { "0": { "Return": ... }, "1-2": { "Throw": ... } }`);
    const ranges: { start: number; end: number; key: string }[] = [];
    for (const [key, outcome] of Object.entries(byInvocation as Record<string, unknown>)) {
      const range = invocationRange(key);
      if (!range) fail([...at, key], `\`${key}\` is not an invocation number or range: use "0", "1" or "1-3" (invocations count from 0)`, true);
      const { start, end } = range!;
      if (end < start) fail([...at, key], `the range \`${key}\` ends before it starts`, true);
      const overlap = ranges.find((other) => start <= other.end && other.start <= end);
      if (overlap) fail([...at, key], `invocations \`${key}\` overlap \`${overlap.key}\` of the same response`, true);
      ranges.push({ start, end, key });
      const kinds = isObject(outcome) ? ['Return', 'Throw'].filter((kind) => kind in outcome) : [];
      if (kinds.length !== 1) fail([...at, key], `invocation \`${key}\` of \`${name}\` must have exactly one of Return or Throw`);
      const thrown = (outcome as Record<string, unknown>).Throw;
      if (kinds[0] === 'Throw') {
        if (!isObject(thrown)) fail([...at, key, 'Throw'], 'Throw must be an object: { "Error": "...", "Cause": "..." }');
        for (const field of ['Error', 'Cause']) {
          const value = (thrown as Record<string, unknown>)[field];
          if (value !== undefined && typeof value !== 'string') fail([...at, key, 'Throw', field], `Throw.${field} must be a string`);
        }
      }
    }
  }
  return { config: config as MockConfig, references };
}

export class MockFile {
  private readonly loaded = new Map<string, { mtime: number; parsed: ParsedMocks }>();
  private merged: MockConfig = {};
  private signature = '';

  /**
   * `file` is the project's MockConfigFile; `generated` are files deliv writes
   * itself (`deliv test --target local`'s cases), read beside it.
   */
  constructor(
    readonly file: string | undefined,
    private readonly generated: string[] = [],
    /** The project folder: files are named relative to it in messages. */
    private readonly root?: string,
  ) {}

  /**
   * The mock config as it is on disk now (re-read when a file changed).
   * Throws a FileProblemError, at the file's line, when a file is broken or a
   * test case names a response no file defines.
   */
  current(): MockConfig {
    const files = [this.file, ...this.generated].filter((file): file is string => file !== undefined);
    const parts: ParsedMocks[] = [];
    let signature = '';
    for (const file of files) {
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        continue;
      }
      let entry = this.loaded.get(file);
      if (!entry || entry.mtime !== mtime) {
        // A broken file is read again on every call until it is fixed (its mtime is not kept).
        entry = { mtime, parsed: parseMockConfig(readFileSync(file, 'utf8'), this.label(file)) };
        this.loaded.set(file, entry);
      }
      signature += `${file}:${mtime};`;
      parts.push(entry.parsed);
    }
    if (signature !== this.signature) {
      const merged = parts.length === 1 ? parts[0].config : mergeConfigs(parts.map((part) => part.config));
      const defined = merged.MockedResponses ?? {};
      for (const reference of parts.flatMap((part) => part.references)) {
        if (Object.hasOwn(defined, reference.response)) continue;
        const guess = closest(reference.response, Object.keys(defined));
        throw new FileProblemError(
          reference.file,
          reference.place.line,
          reference.place.column,
          `test case \`${reference.testCase}\` of \`${reference.machine}\` mocks state \`${reference.state}\` with \`${reference.response}\`, which MockedResponses does not define${guess ? ` (did you mean \`${guess}\`?)` : ''}`,
          `add \`${reference.response}\` to MockedResponses or fix the name; the emulator reads the file again for the next execution`,
        );
      }
      this.signature = signature;
      this.merged = merged;
    }
    return this.merged;
  }

  private label(file: string): string {
    if (!this.root) return file;
    const relative = path.relative(this.root, file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
  }

  /** The test case an execution runs under: the named one, else `Default` when the machine has it. */
  testCaseFor(machineName: string, requested: string | null | undefined): string | undefined {
    if (requested) return requested;
    return this.testCases(machineName).Default ? 'Default' : undefined;
  }

  hasTestCase(machineName: string, testCase: string): boolean {
    return own(this.testCases(machineName), testCase) !== undefined;
  }

  testCaseNames(machineName: string): string[] {
    return Object.keys(this.testCases(machineName));
  }

  /** The machine's test cases; names are looked up as own keys only (a state may be called `toString`). */
  private testCases(machineName: string): Record<string, Record<string, string>> {
    return own(this.current().StateMachines, machineName)?.TestCases ?? {};
  }

  /** The mocked outcome of one invocation of a state, or undefined when the state is not mocked. */
  lookup(machineName: string, testCase: string | undefined, stateName: string, invocation: number): MockOutcome | undefined {
    if (!testCase) return undefined;
    const responseName = own(own(this.testCases(machineName), testCase), stateName);
    // current() has checked that every response a test case names is defined.
    const responses = responseName === undefined ? undefined : own(this.current().MockedResponses, responseName);
    if (!responses) return undefined;
    const entry = pickByInvocation(responses, invocation);
    if (!entry) return undefined;
    if (entry.Throw) return { kind: 'throw', failure: new TaskFailure(entry.Throw.Error ?? StatesErrors.TaskFailed, entry.Throw.Cause) };
    return { kind: 'return', value: entry.Return ?? null };
  }
}

/** `record[key]` when it is the record's own (never Object.prototype's `constructor` or `toString`). */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Picks the response whose range holds `invocation`; past the last range, the last one keeps answering. */
function pickByInvocation<T>(responses: Record<string, T>, invocation: number): T | undefined {
  let last: { end: number; value: T } | undefined;
  for (const [key, value] of Object.entries(responses)) {
    const range = invocationRange(key);
    if (!range) continue;
    const { start, end } = range;
    if (invocation >= start && invocation <= end) return value;
    if (!last || end > last.end) last = { end, value };
  }
  return last && invocation > last.end ? last.value : undefined;
}

/** Test cases and responses of several files side by side (a name in a later file wins). */
function mergeConfigs(parts: MockConfig[]): MockConfig {
  const merged: Required<MockConfig> = { StateMachines: {}, MockedResponses: {} };
  for (const part of parts) {
    for (const [machine, entry] of Object.entries(part.StateMachines ?? {})) {
      const target = (merged.StateMachines[machine] ??= { TestCases: {} });
      target.TestCases = { ...target.TestCases, ...entry.TestCases };
    }
    Object.assign(merged.MockedResponses, part.MockedResponses ?? {});
  }
  return merged;
}
