/**
 * `deliv test`: each test file's machine is rendered (local target) and
 * compiled once, then every case runs in-process on the engine with a virtual
 * clock of its own (Waits, retries and heartbeats cost nothing), cases of a
 * file concurrently.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findState } from '../asl/graph.js';
import type { JsonValue, StateMachineDefinition } from '../asl/types.js';
import { compile, VirtualClock } from '../engine/index.js';
import type { CompiledMachine, ExecutionResult, TaskRunner } from '../engine/types.js';
import type { Project } from '../project/config.js';
import { renderStateMachine } from '../project/definition.js';
import { UsageError } from '../ui/errors.js';
import { testState, TestStateRequestError, type TestStateRequest } from '../engine/test-state.js';
import { actualOf, actualOfState, checkExpectation, checkStateExpectation, type Actual, type Mismatch } from './expect.js';
import { findTestFiles, isTestFile, loadTestFile, TestFileError, type TestCase, type TestFile, type TestFileProblem } from './file.js';
import { executionFacts } from './history.js';
import { CaseTaskRunner } from './mocks.js';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';
const DEFAULT_START = '2026-01-01T00:00:00.000Z';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  name: string;
  status: CaseStatus;
  /** Wall time of the case, ms (cases of a file overlap). */
  durationMs: number;
  mismatches: Mismatch[];
  actual?: Actual;
  /** The execution's history, for coverage and for `--update`. */
  events: HistoryEvent[];
  /** Index of the case in its file. */
  index: number;
  /** Why a skipped case did not run. */
  reason?: string;
}

export interface FileResult {
  /** As shown to the user (relative to the working directory). */
  file: string;
  /** Absolute path, for --update. */
  path: string;
  machine: string;
  definition: StateMachineDefinition;
  cases: CaseResult[];
}

export interface TestRunResult {
  files: FileResult[];
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

export interface RunOptions {
  /** Machine names or test files; empty: every file under tests/. */
  selectors?: string[];
  /** Only cases whose name contains this (case-insensitive). */
  caseFilter?: string;
  /** Stop at the first failing case. */
  bail?: boolean;
  /** Cases in flight at once per file. */
  concurrency?: number;
}

export interface Prepared {
  path: string;
  testFile: TestFile;
  definition: StateMachineDefinition;
  machine: CompiledMachine;
}

/** Resolves which test files to run: names of machines, paths of files, or all of tests/. */
export function selectTestFiles(project: Project, selectors: string[] = []): string[] {
  const all = findTestFiles(project.root);
  if (selectors.length === 0) {
    if (all.length === 0) throw new UsageError(`no test files in ${path.join(project.root, 'tests')}`, { hint: 'write tests/<machine>.test.yaml (deliv init scaffolds them)', code: 'FILE_NOT_FOUND' });
    return all;
  }
  return selectors.map((selector) => {
    if (isTestFile(selector)) return path.resolve(selector);
    const found = all.find((file) => loadTestFile(file).machine === selector);
    if (!found) throw new UsageError(`no test file for \`${selector}\``, { hint: `expected ${path.join('tests', `${selector}.test.yaml`)}`, code: 'FILE_NOT_FOUND' });
    return found;
  });
}

/** Loads and compiles every selected file before anything runs: a bad file is exit 2, not a failed test. */
export function prepareFiles(project: Project, files: string[]): Prepared[] {
  const problems: TestFileProblem[] = [];
  const prepared: Prepared[] = [];
  for (const file of files) {
    const display = path.relative(process.cwd(), file) || file;
    let testFile: TestFile;
    try {
      testFile = loadTestFile(file, display);
    } catch (error) {
      if (error instanceof TestFileError) {
        problems.push(...error.problems);
        continue;
      }
      throw new UsageError(`cannot read ${display}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { code: 'FILE_NOT_FOUND' });
    }
    if (!project.config.stateMachines[testFile.machine]) {
      problems.push({ file: display, ...testFile.locate(['machine']), message: `no state machine named \`${testFile.machine}\` in deliv.yaml (known: ${Object.keys(project.config.stateMachines).join(', ')})` });
      continue;
    }
    const loaded = renderStateMachine(project, testFile.machine, 'local');
    const compiled = compile(loaded.definition);
    if (!compiled.ok) {
      throw new UsageError(`${testFile.machine} does not compile: ${compiled.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { hint: 'run `deliv validate`', code: 'INVALID_DEFINITION' });
    }
    testFile.cases.forEach((testCase, index) => {
      if (testCase.state !== undefined && !hasState(loaded.definition, testCase.state)) {
        problems.push({ file: display, ...testFile.locate(['cases', index, 'state']), message: `no state named \`${testCase.state}\` in ${testFile.machine}` });
      }
      for (const state of Object.keys(testCase.states ?? {})) {
        if (!hasState(loaded.definition, state)) problems.push({ file: display, ...testFile.locate(['cases', index, 'states', state]), message: `no state named \`${state}\` in ${testFile.machine}` });
      }
    });
    prepared.push({ path: file, testFile, definition: loaded.definition, machine: compiled.machine });
  }
  if (problems.length > 0) throw new TestFileError(problems);
  return prepared;
}

export function hasState(definition: StateMachineDefinition, name: string): boolean {
  return findState(definition, name) !== undefined;
}

/** The project's handlers, for states with `handler: true`: the emulator's own Lambda host. */
async function projectHandlers(project: Project): Promise<TaskRunner> {
  const { LambdaHost } = await import('../local/lambda.js');
  const { LocalTaskRunner } = await import('../local/tasks.js');
  const { MockFile } = await import('../local/mocks.js');
  const lambda = new LambdaHost(project.root, path.join(project.root, '.deliv', 'cache', 'handlers'), { region: TEST_REGION, account: TEST_ACCOUNT });
  const unavailable = (): never => {
    throw new Error('nested executions are not run by deliv test: mock the state');
  };
  return new LocalTaskRunner({
    root: project.root,
    functions: () => project.config.functions ?? {},
    mocks: new MockFile(undefined),
    lambda,
    tokens: undefined as never,
    nested: { start: unavailable, waitFor: unavailable, stop: () => undefined },
    executionInfo: () => undefined,
  });
}

export function caseInput(project: Project, testCase: TestCase): JsonValue {
  if (testCase.inputFile === undefined) return testCase.input ?? {};
  const file = path.resolve(project.root, testCase.inputFile);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JsonValue;
  } catch (error) {
    throw new UsageError(`case "${testCase.name}": cannot read inputFile ${testCase.inputFile}: ${(error as Error).message}`, { code: 'FILE_NOT_FOUND' });
  }
}

export function executionName(testCase: TestCase, index: number): string {
  if (testCase.context?.executionName) return testCase.context.executionName;
  const slug = testCase.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `test-${index}-${slug || 'case'}`;
}

/**
 * The TestState request of a state test, for the engine or an emulator's API
 * alike: a nested state (Parallel branch, Map processor) is sent alone, in the
 * query language around it.
 */
export function stateTestRequest(project: Project, machine: StateMachineDefinition, testCase: TestCase & { state: string }): TestStateRequest {
  const found = findState(machine, testCase.state)!;
  const definition = found.enclosedBy.length === 0 ? machine : { ...found.state, QueryLanguage: found.queryLanguage };
  const mock = testCase.mock;
  const context = testCase.context ? { Execution: { Name: testCase.context.executionName, StartTime: testCase.context.startTime } } : undefined;
  return {
    definition: JSON.stringify(definition),
    stateName: testCase.state,
    input: JSON.stringify(caseInput(project, testCase)),
    inspectionLevel: 'DEBUG',
    ...(testCase.variables ? { variables: JSON.stringify(testCase.variables) } : {}),
    ...(context ? { context: JSON.stringify(context) } : {}),
    ...(mock ? { mock: 'return' in mock ? { result: JSON.stringify(mock.return) } : { errorOutput: { error: mock.throw.error, cause: mock.throw.cause } } } : {}),
    ...(testCase.stateConfiguration ? { stateConfiguration: testCase.stateConfiguration } : {}),
  };
}

/** A state test: the state alone through the engine's TestState, as AWS's TestState would run it. */
async function runStateCase(project: Project, prepared: Prepared, testCase: TestCase & { state: string }, index: number, handlers?: TaskRunner): Promise<CaseResult> {
  const started = performance.now();
  const request = stateTestRequest(project, prepared.definition, testCase);
  let actual: Actual;
  try {
    actual = actualOfState(testCase.state, await testState(request, { runner: handlers, region: TEST_REGION, account: TEST_ACCOUNT }));
  } catch (error) {
    if (!(error instanceof TestStateRequestError)) throw error;
    return { name: testCase.name, status: 'failed', durationMs: performance.now() - started, mismatches: [{ field: 'state', message: `TestState refuses this case (${error.code}): ${error.message}` }], events: [], index };
  }
  const mismatches = checkStateExpectation(testCase.expect ?? {}, actual);
  return { name: testCase.name, status: mismatches.length === 0 ? 'passed' : 'failed', durationMs: performance.now() - started, mismatches, actual, events: [], index };
}

export async function runCase(project: Project, prepared: Prepared, testCase: TestCase, index: number, handlers?: TaskRunner): Promise<CaseResult> {
  const started = performance.now();
  if (testCase.skip) return { name: testCase.name, status: 'skipped', durationMs: 0, mismatches: [], events: [], index };
  if (testCase.state !== undefined) return runStateCase(project, prepared, testCase as TestCase & { state: string }, index, handlers);
  const startTime = testCase.clock?.start ?? testCase.context?.startTime ?? DEFAULT_START;
  const clock = new VirtualClock({ start: Date.parse(startTime) });
  const { readItems } = await import('../local/items.js');
  const runner = new CaseTaskRunner({
    states: testCase.states ?? {},
    clock,
    caseName: testCase.name,
    handlers,
    readItems: (request) => readItems(project.root, request),
  });
  const machineName = prepared.testFile.machine;
  const name = executionName(testCase, index);
  const events: HistoryEvent[] = [];
  const type = project.config.stateMachines[machineName]?.type ?? 'STANDARD';
  const result: ExecutionResult = await prepared.machine.start({
    executionArn: `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:${type === 'EXPRESS' ? 'express' : 'execution'}:${machineName}:${name}`,
    name,
    stateMachineArn: `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:${machineName}`,
    stateMachineName: machineName,
    roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/${machineName}-role`,
    startTime: new Date(Date.parse(startTime)).toISOString(),
    type,
    input: caseInput(project, testCase),
    runner,
    clock,
    onEvent: (event) => events.push(event),
  }).result;
  const facts = executionFacts(events);
  const actual = actualOf(result, facts);
  const mismatches = checkExpectation(testCase.expect ?? {}, actual, events);
  return { name: testCase.name, status: mismatches.length === 0 ? 'passed' : 'failed', durationMs: performance.now() - started, mismatches, actual, events, index };
}

export async function runTests(project: Project, options: RunOptions = {}): Promise<TestRunResult> {
  const started = performance.now();
  const prepared = prepareFiles(project, selectTestFiles(project, options.selectors));
  // State tests without a mock run the project's handler, as TestState calls the real service.
  const usesHandlers = prepared.some((p) => p.testFile.cases.some((c) => (c.state !== undefined && !c.mock) || Object.values(c.states ?? {}).some((s) => s.handler)));
  const handlers = usesHandlers ? await projectHandlers(project) : undefined;
  const filter = options.caseFilter?.toLowerCase();
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const files: FileResult[] = [];
  let stop = false;
  for (const file of prepared) {
    const selected = file.testFile.cases.map((testCase, index) => ({ testCase, index })).filter(({ testCase }) => !filter || testCase.name.toLowerCase().includes(filter));
    const results: CaseResult[] = new Array(selected.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < selected.length && !stop) {
        const slot = next++;
        const { testCase, index } = selected[slot];
        results[slot] = await runCase(project, file, testCase, index, handlers);
        if (options.bail && results[slot].status === 'failed') stop = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, worker));
    files.push({ file: file.testFile.file, path: file.path, machine: file.testFile.machine, definition: file.definition, cases: results.filter(Boolean) });
    if (stop) break;
  }
  return runResult(files, started);
}

/** The run's counts over every file's cases, in-process or on a target alike. */
export function runResult(files: FileResult[], started: number): TestRunResult {
  const all = files.flatMap((file) => file.cases);
  return {
    files,
    passed: all.filter((c) => c.status === 'passed').length,
    failed: all.filter((c) => c.status === 'failed').length,
    skipped: all.filter((c) => c.status === 'skipped').length,
    durationMs: performance.now() - started,
  };
}
