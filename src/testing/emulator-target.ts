/**
 * `deliv test --target local`: the same cases end to end through the
 * emulator's API, handlers included. Each case becomes a MockConfigFile test
 * case (Step Functions Local's format, which the emulator reads beside the
 * project's own mocks), its execution is started with `#TestCase` on the
 * machine's ARN, and its history, read back through the SDK, is judged by the
 * same expectations and coverage as an in-process run.
 */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue, StateMachineDefinition } from '../asl/types.js';
import type { ExecutionResult } from '../engine/types.js';
import type { MockConfig } from '../local/mocks.js';
import type { Project } from '../project/config.js';
import { actualOf, actualOfState, checkExpectation, checkStateExpectation } from './expect.js';
import type { Callback, MockOutcome, StateBehaviour, TestCase } from './file.js';
import { executionFacts } from './history.js';
import { caseInput, executionName, prepareFiles, runResult, selectTestFiles, stateTestRequest, type CaseResult, type FileResult, type RunOptions, type TestRunResult } from './runner.js';

/** Beside the store: the emulator reads it with the project's MockConfigFile (see local/mocks.ts). */
export const TEST_MOCKS_FILE = 'test-mocks.json';

type MockedResponse = { Return?: JsonValue; Throw?: { Error: string; Cause?: string } };

/** A case's behaviours as MockConfigFile responses, or why the emulator cannot play them. */
export function mockedResponses(states: Record<string, StateBehaviour>): { responses: Record<string, Record<string, MockedResponse>>; unsupported?: string } {
  const responses: Record<string, Record<string, MockedResponse>> = {};
  for (const [state, behaviour] of Object.entries(states)) {
    if (behaviour.callback !== undefined) {
      // The emulator answers a mocked callback task with the mock at once, as Step Functions Local does: the callback is the answer.
      const answers = Array.isArray(behaviour.callback) ? behaviour.callback : [behaviour.callback];
      const byAttempt: Record<string, MockedResponse> = {};
      for (const [attempt, answer] of answers.entries()) {
        const mocked = callbackResponse(answer);
        if (!mocked) return { responses, unsupported: `${state}'s callback never answers: a heartbeat or timeout takes real time on the emulator (run it without --target)` };
        byAttempt[String(attempt)] = mocked;
      }
      responses[state] = byAttempt;
      continue;
    }
    if (behaviour.mock === undefined) continue;
    const outcomes: MockOutcome[] = Array.isArray(behaviour.mock) ? behaviour.mock : [behaviour.mock];
    const byAttempt: Record<string, MockedResponse> = {};
    for (const [attempt, outcome] of outcomes.entries()) {
      if ('never' in outcome) return { responses, unsupported: `${state} never answers on attempt ${attempt + 1}: its timeout takes real time on the emulator (run it without --target)` };
      byAttempt[String(attempt)] = 'return' in outcome ? { Return: outcome.return } : { Throw: { Error: outcome.throw.error, ...(outcome.throw.cause !== undefined ? { Cause: outcome.throw.cause } : {}) } };
    }
    responses[state] = byAttempt;
  }
  return { responses };
}

function callbackResponse(answer: Callback): MockedResponse | undefined {
  if (answer === 'none' || answer.none) return undefined;
  if (answer.failure) return { Throw: { Error: answer.failure.error, ...(answer.failure.cause !== undefined ? { Cause: answer.failure.cause } : {}) } };
  return { Return: answer.success ?? null };
}

/** The MockConfigFile test case name of a case: unique per machine and case index. */
export function testCaseName(index: number): string {
  return `deliv-test-${index}`;
}

/** The expectations only a history can check: an Express machine keeps none the emulator can read back. */
const HISTORY_EXPECTATIONS = ['path', 'visits', 'neverVisits', 'retries', 'transitions', 'variables'] as const;

interface Planned {
  testCase: TestCase;
  index: number;
  /** The machine's definition as deployed for the run (rendered for the local target). */
  definition: StateMachineDefinition;
  unsupported?: string;
}

export interface EmulatorRunOptions extends RunOptions {
  sfn: SFNClient;
  /** How long one execution may take before the case fails (ms). */
  caseTimeoutMs?: number;
}

export async function runTestsOnEmulator(project: Project, options: EmulatorRunOptions): Promise<TestRunResult> {
  const started = performance.now();
  const prepared = prepareFiles(project, selectTestFiles(project, options.selectors));
  const filter = options.caseFilter?.toLowerCase();
  const config: Required<MockConfig> = { StateMachines: {}, MockedResponses: {} };
  const plans = prepared.map((file) => {
    const machine = file.testFile.machine;
    const testCases: Record<string, Record<string, string>> = {};
    const planned: Planned[] = [];
    const definition = file.definition;
    file.testFile.cases.forEach((testCase, index) => {
      if (filter && !testCase.name.toLowerCase().includes(filter)) return;
      if (testCase.state !== undefined || testCase.skip) return void planned.push({ testCase, index, definition });
      const { responses, unsupported } = mockedResponses(testCase.states ?? {});
      const name = testCaseName(index);
      testCases[name] = {};
      for (const [state, byAttempt] of Object.entries(responses)) {
        const key = `deliv-test:${machine}:${index}:${state}`;
        config.MockedResponses[key] = byAttempt;
        testCases[name][state] = key;
      }
      planned.push({ testCase, index, definition, unsupported });
    });
    config.StateMachines[machine] = { TestCases: testCases };
    return { file, planned };
  });
  writeTestMocks(project, config);

  const files: FileResult[] = [];
  let stop = false;
  for (const { file, planned } of plans) {
    const type = project.config.stateMachines[file.testFile.machine]?.type ?? 'STANDARD';
    const results: CaseResult[] = [];
    // Executions of a file run side by side, a few at a time: the emulator is one process.
    const queue = [...planned];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next && !stop; next = queue.shift()) {
        const result = await runOnEmulator(project, file.testFile.machine, type, next, options);
        results.push(result);
        if (options.bail && result.status === 'failed') stop = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, planned.length) }, worker));
    results.sort((a, b) => a.index - b.index);
    files.push({ file: file.testFile.file, path: file.path, machine: file.testFile.machine, definition: file.definition, cases: results });
    if (stop) break;
  }
  return runResult(files, started);
}

function writeTestMocks(project: Project, config: MockConfig): void {
  const dir = path.join(project.root, '.deliv');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, TEST_MOCKS_FILE);
  // Whole or not at all: the emulator may read it at any moment.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

async function runOnEmulator(project: Project, machine: string, type: string, planned: Planned, options: EmulatorRunOptions): Promise<CaseResult> {
  const { testCase, index } = planned;
  const begun = performance.now();
  const skipped = (reason: string): CaseResult => ({ name: testCase.name, status: 'skipped', reason, durationMs: 0, mismatches: [], events: [], index });
  if (testCase.skip) return skipped('skip: true');
  if (planned.unsupported) return skipped(planned.unsupported);
  const sdk = await import('@aws-sdk/client-sfn');
  const { startExecution } = await import('../deploy/start.js');
  const { followExecution, isTerminalEvent } = await import('../aws/sfn.js');
  if (testCase.state !== undefined) {
    // The definition just deployed from this project, so the request is the in-process run's own.
    const answer = await options.sfn.send(new sdk.TestStateCommand({ ...stateTestRequest(project, planned.definition, { ...testCase, state: testCase.state }) }));
    const actual = actualOfState(testCase.state, { ...answer, status: answer.status ?? 'FAILED' } as Parameters<typeof actualOfState>[1]);
    const mismatches = checkStateExpectation(testCase.expect ?? {}, actual);
    return { name: testCase.name, status: mismatches.length === 0 ? 'passed' : 'failed', durationMs: performance.now() - begun, mismatches, actual, events: [], index };
  }
  const expect = testCase.expect ?? {};
  if (type === 'EXPRESS' && HISTORY_EXPECTATIONS.some((key) => expect[key] !== undefined)) {
    return skipped(`${machine} is Express: its path, retries and variables need the execution's history, which an Express execution does not keep (run it without --target)`);
  }
  const name = `${executionName(testCase, index).slice(0, 70)}-${Math.random().toString(36).slice(2, 8)}`;
  const input = JSON.stringify(caseInput(project, testCase));
  const execution = await startExecution(options.sfn, { machine, input, name, testCase: testCaseName(index) });
  let result: ExecutionResult;
  let events: HistoryEvent[] = [];
  if (execution.sync) {
    const sync = execution.sync;
    result = { status: sync.status as ExecutionResult['status'], eventCount: 0, ...(sync.output !== undefined ? { output: JSON.parse(sync.output) as JsonValue } : {}), ...(sync.error !== undefined ? { error: sync.error } : {}), ...(sync.cause !== undefined ? { cause: sync.cause } : {}) };
  } else {
    // The history is read once, as it grows, until the execution ends (or the case runs out of time).
    const timeoutMs = options.caseTimeoutMs ?? 60_000;
    events = await followExecution(options.sfn, execution.executionArn, () => undefined, { signal: AbortSignal.timeout(timeoutMs), includeExecutionData: true, pollMs: { min: 20, max: 250 } });
    if (!events.some(isTerminalEvent)) {
      await options.sfn.send(new sdk.StopExecutionCommand({ executionArn: execution.executionArn, error: 'deliv.TestTimeout', cause: 'the test case ran out of time' })).catch(() => undefined);
      return { name: testCase.name, status: 'failed', durationMs: performance.now() - begun, mismatches: [{ field: 'status', message: `still running after ${Math.round(timeoutMs / 1000)} s (stopped): ${execution.executionArn}` }], events: [], index };
    }
    const described = await options.sfn.send(new sdk.DescribeExecutionCommand({ executionArn: execution.executionArn }));
    result = {
      status: described.status as ExecutionResult['status'],
      eventCount: events.length,
      ...(described.output !== undefined ? { output: JSON.parse(described.output) as JsonValue } : {}),
      ...(described.error !== undefined ? { error: described.error } : {}),
      ...(described.cause !== undefined ? { cause: described.cause } : {}),
    };
  }
  // Top-level state names, as the in-process runner reads histories.
  const facts = executionFacts(events);
  const actual = actualOf(result, facts);
  const mismatches = checkExpectation(expect, actual, events);
  return { name: testCase.name, status: mismatches.length === 0 ? 'passed' : 'failed', durationMs: performance.now() - begun, mismatches, actual, events, index };
}
