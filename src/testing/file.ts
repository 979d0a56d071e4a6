/**
 * Test files (`tests/<machine>.test.yaml|json`): parsed with positions and
 * checked against the published JSON Schema (schemas/deliv-test.schema.json),
 * so that every problem names file:line:col as `deliv validate` does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import type { JsonValue } from '../asl/types.js';
import { locateNode } from '../project/definition.js';

export const TEST_FILE_SUFFIXES = ['.test.yaml', '.test.yml', '.test.json'] as const;
export const TESTS_DIR = 'tests';

export interface Failure {
  error: string;
  cause?: string;
}

export type MockOutcome = { return: JsonValue } | { throw: Failure } | { never: true };

export type Callback = 'none' | { heartbeats?: number; success?: JsonValue; failure?: Failure; none?: true };

export interface StateBehaviour {
  mock?: MockOutcome | MockOutcome[];
  handler?: true;
  callback?: Callback | Callback[];
}

/** TestState's inspection data that a state test can expect, values as JSON. */
export interface InspectionExpectation {
  afterInputPath?: JsonValue;
  afterParameters?: JsonValue;
  afterArguments?: JsonValue;
  result?: JsonValue;
  afterResultSelector?: JsonValue;
  afterResultPath?: JsonValue;
  variables?: JsonValue;
  retryIndex?: number;
  retryBackoffIntervalSeconds?: number;
  catchIndex?: number;
}

export interface Expectation {
  /** RETRIABLE and CAUGHT_ERROR are TestState's, for state tests. */
  status?: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'RETRIABLE' | 'CAUGHT_ERROR';
  nextState?: string;
  inspection?: InspectionExpectation;
  output?: JsonValue;
  outputMatches?: JsonValue;
  outputPaths?: Record<string, JsonValue>;
  error?: string;
  errorMatches?: string;
  cause?: string;
  causeMatches?: string;
  path?: string[];
  visits?: string[];
  neverVisits?: string[];
  retries?: Record<string, number>;
  transitions?: number;
  variables?: Record<string, JsonValue>;
}

export interface TestCase {
  name: string;
  description?: string;
  skip?: boolean;
  input?: JsonValue;
  inputFile?: string;
  context?: { executionName?: string; startTime?: string };
  clock?: { start?: string };
  states?: Record<string, StateBehaviour>;
  /** A state test: this state alone, with TestState's semantics. */
  state?: string;
  mock?: { return: JsonValue } | { throw: Failure };
  stateConfiguration?: { retrierRetryCount?: number; errorCausedByState?: string; mapIterationFailureCount?: number; mapItemReaderData?: string };
  variables?: Record<string, JsonValue>;
  expect?: Expectation;
}

const PATH_ONLY = ['states', 'clock'] as const;
const STATE_ONLY = ['mock', 'stateConfiguration', 'variables'] as const;
const STATE_ONLY_EXPECT = ['nextState', 'inspection'] as const;
const PATH_ONLY_EXPECT = ['path', 'visits', 'neverVisits', 'retries', 'transitions'] as const;

export interface TestFile {
  file: string;
  machine: string;
  cases: TestCase[];
  /** Where a path of the file (`['cases', 0, 'expect', 'path']`) sits in the source. */
  locate(at: ReadonlyArray<string | number>): { line: number; col: number };
}

export interface TestFileProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** A test file that cannot be run: exit code 2, like a definition that does not validate. */
export class TestFileError extends Error {
  constructor(readonly problems: TestFileProblem[]) {
    super(problems.map(formatTestFileProblem).join('\n'));
    this.name = 'TestFileError';
  }
}

export function formatTestFileProblem(problem: TestFileProblem): string {
  return `${problem.file}:${problem.line}:${problem.col}: error: ${problem.message}`;
}

export const SCHEMA_FILE = fileURLToPath(new URL('../../schemas/deliv-test.schema.json', import.meta.url));

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] | null };
let validator: Validator | undefined;

function schemaValidator(): Validator {
  if (!validator) {
    const requireHere = createRequire(import.meta.url);
    const AjvModule = requireHere('ajv') as { default: new (options: object) => { compile(schema: object): Validator } };
    const formats = requireHere('ajv-formats') as { default: (ajv: unknown) => void };
    const ajv = new AjvModule.default({ allErrors: true, strict: false });
    formats.default(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  }
  return validator;
}

/** The machine a test file is about when it does not say: its name before `.test.`. */
export function machineFromFileName(file: string): string {
  const base = path.basename(file);
  const suffix = TEST_FILE_SUFFIXES.find((s) => base.endsWith(s));
  return suffix ? base.slice(0, -suffix.length) : base;
}

export function isTestFile(file: string): boolean {
  return TEST_FILE_SUFFIXES.some((suffix) => file.endsWith(suffix));
}

/** Every test file of a project, sorted. */
export function findTestFiles(root: string): string[] {
  const dir = path.join(root, TESTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(isTestFile)
    .sort()
    .map((name) => path.join(dir, name));
}

export function loadTestFile(file: string, display = file): TestFile {
  return parseTestFile(readFileSync(file, 'utf8'), display);
}

export function parseTestFile(text: string, file: string): TestFile {
  const lineCounter = new LineCounter();
  // `<<` merge keys let cases share their mocks (`states: { <<: *happy, ... }`).
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new TestFileError([{ file, line, col, message: first.message.split('\n')[0] }]);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new TestFileError([{ file, line: 1, col: 1, message: (error as Error).message }]);
  }
  const locate = (at: ReadonlyArray<string | number>) => locateNode(document, lineCounter, at);
  const validate = schemaValidator();
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    // A oneOf (an outcome or a list of outcomes) reports every branch; the deepest error is the one that helps.
    const useful = errors.filter((error) => !(['oneOf', 'type'].includes(error.keyword) && errors.some((other) => other.instancePath.startsWith(`${error.instancePath}/`))));
    const problems = useful.map((error) => {
      const at = pointerToPath(error.instancePath, data);
      const extra = error.keyword === 'additionalProperties' ? `: \`${String(error.params.additionalProperty)}\`` : error.keyword === 'enum' ? `: ${(error.params.allowedValues as unknown[]).join(', ')}` : '';
      const where = error.instancePath || '/';
      return { ...locate(error.keyword === 'additionalProperties' ? [...at, String(error.params.additionalProperty)] : at), file, message: `${where} ${error.message ?? 'is invalid'}${extra}` };
    });
    throw new TestFileError(dedupeProblems(problems).sort((a, b) => a.line - b.line || a.col - b.col));
  }
  const parsed = data as { machine?: string; cases: TestCase[] };
  const problems: TestFileProblem[] = [];
  const names = new Set<string>();
  parsed.cases.forEach((testCase, index) => {
    if (names.has(testCase.name)) problems.push({ file, ...locate(['cases', index, 'name']), message: `two cases are named \`${testCase.name}\`` });
    names.add(testCase.name);
    if (testCase.input !== undefined && testCase.inputFile !== undefined) {
      problems.push({ file, ...locate(['cases', index, 'inputFile']), message: 'give input or inputFile, not both' });
    }
    const stateTest = testCase.state !== undefined;
    for (const key of stateTest ? PATH_ONLY : STATE_ONLY) {
      if (testCase[key] !== undefined) problems.push({ file, ...locate(['cases', index, key]), message: stateTest ? `\`${key}\` is for path tests; a state test (state: ${testCase.state}) takes mock, stateConfiguration and variables` : `\`${key}\` is for state tests: add \`state: <name>\` to test one state alone` });
    }
    for (const key of stateTest ? PATH_ONLY_EXPECT : STATE_ONLY_EXPECT) {
      if (testCase.expect?.[key] !== undefined) problems.push({ file, ...locate(['cases', index, 'expect', key]), message: stateTest ? `a state test cannot expect \`${key}\` (it runs one state)` : `\`expect.${key}\` is for state tests (state: <name>)` });
    }
    if (!stateTest && (testCase.expect?.status === 'RETRIABLE' || testCase.expect?.status === 'CAUGHT_ERROR')) {
      problems.push({ file, ...locate(['cases', index, 'expect', 'status']), message: `${testCase.expect.status} is a TestState status: only a state test (state: <name>) ends that way` });
    }
    for (const key of ['errorMatches', 'causeMatches'] as const) {
      const pattern = testCase.expect?.[key];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (error) {
        problems.push({ file, ...locate(['cases', index, 'expect', key]), message: `not a regular expression: ${(error as Error).message}` });
      }
    }
  });
  if (problems.length > 0) throw new TestFileError(problems);
  return { file, machine: parsed.machine ?? machineFromFileName(file), cases: parsed.cases, locate };
}

/** `/cases/0/expect` → ['cases', 0, 'expect'], numbers where the data holds arrays. */
function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const at: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step = Array.isArray(node) ? Number(key) : key;
    at.push(step);
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[step] : undefined;
  }
  return at;
}

function dedupeProblems(problems: TestFileProblem[]): TestFileProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = formatTestFileProblem(problem);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
