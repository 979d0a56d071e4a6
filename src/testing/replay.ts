/**
 * `deliv test --from-execution ARN`: a recorded execution becomes a test case.
 * Its input; every Task's recorded outcomes as mocks in attempt order (a
 * callback task's answers as `callback:`); and what the execution did (status,
 * path, output or error) as the expectation. Running the case replays the run
 * offline on the engine; after a fix, `--update` turns it into the regression
 * test of the fixed path.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { detailsOf, EXECUTION_END_EVENTS, historyValue } from '../asl/history.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Document, isSeq, parseDocument } from 'yaml';
import type { JsonValue } from '../asl/types.js';
import type { Callback, Expectation, MockOutcome, StateBehaviour, TestCase } from './file.js';
import { executionFacts } from './history.js';
import { StatesErrors } from '../asl/errors.js';
import { executionNames } from '../aws/arn.js';

const parse = (text: unknown): JsonValue => historyValue(text) ?? null;

type Outcome = { kind: 'return'; value: JsonValue } | { kind: 'throw'; error: string; cause?: string } | { kind: 'silent'; error: string } | { kind: 'unfinished' };

/** The outcome of one task attempt, from the event that ended it. */
function attemptOutcome(event: HistoryEvent): Outcome | undefined {
  const type = event.type ?? '';
  const info = (detailsOf(event) ?? {});
  if (type === 'TaskSucceeded' || type === 'LambdaFunctionSucceeded' || type === 'ActivitySucceeded') return { kind: 'return', value: parse(info.output) };
  if (type === 'TaskFailed' || type === 'LambdaFunctionFailed' || type === 'ActivityFailed' || type === 'TaskStartFailed' || type === 'TaskSubmitFailed' || type === 'LambdaFunctionStartFailed' || type === 'ActivityScheduleFailed') {
    return { kind: 'throw', error: String(info.error ?? StatesErrors.TaskFailed), ...(typeof info.cause === 'string' && info.cause !== '' ? { cause: info.cause } : {}) };
  }
  if (type === 'TaskTimedOut' || type === 'LambdaFunctionTimedOut' || type === 'ActivityTimedOut') {
    // A callback that timed out is replayed as one never answered, so the engine times it out itself.
    return { kind: 'silent', error: String(info.error ?? StatesErrors.Timeout) };
  }
  return undefined;
}

const CALLBACK = /\.waitForTaskToken$/;

export interface ReplayOptions {
  executionArn: string;
  name?: string;
}

/** The test case of a recorded history. */
export function replayCase(events: readonly HistoryEvent[], options: ReplayOptions): TestCase {
  const facts = executionFacts(events);
  const started = facts.index.started;
  const input = parse(started ? started.executionStartedEventDetails?.input : '{}');
  const states: Record<string, StateBehaviour> = {};
  const outcomes = new Map<string, { callback: boolean; list: Outcome[]; open: number }>();
  for (const entry of facts.entries) {
    for (const event of entry.events) {
      const scheduled = event.type === 'TaskScheduled' ? (detailsOf(event) ?? {}) : undefined;
      const known = outcomes.get(entry.name) ?? { callback: false, list: [], open: 0 };
      if (scheduled) {
        const resource = `${scheduled.resourceType}:${scheduled.resource}`;
        known.callback ||= CALLBACK.test(resource);
      }
      if (scheduled || event.type === 'LambdaFunctionScheduled' || event.type === 'ActivityScheduled') known.open += 1;
      const outcome = attemptOutcome(event);
      if (outcome) {
        known.list.push(outcome);
        known.open = Math.max(0, known.open - 1);
      }
      if (scheduled || outcome || known.open > 0) outcomes.set(entry.name, known);
    }
  }
  // An attempt still running when the execution ended (a Parallel sibling failed, the run was stopped) never answers in the replay either.
  for (const known of outcomes.values()) {
    for (; known.open > 0; known.open -= 1) known.list.push({ kind: 'unfinished' });
  }
  for (const [state, { callback, list }] of outcomes) {
    if (callback) {
      const answers: Callback[] = list.map((o) => (o.kind === 'return' ? { success: o.value } : o.kind === 'throw' ? { failure: { error: o.error, ...(o.cause ? { cause: o.cause } : {}) } } : 'none'));
      states[state] = { callback: answers.length === 1 ? answers[0] : answers };
    } else {
      // A task that timed out on its own deadline has no result to mock: it is replayed as that error.
      const mocks: MockOutcome[] = list.map((o) =>
        o.kind === 'return' ? { return: o.value } : o.kind === 'unfinished' ? { never: true } : { throw: { error: o.error, ...(o.kind === 'throw' && o.cause ? { cause: o.cause } : {}) } },
      );
      if (mocks.length > 0) states[state] = { mock: mocks.length === 1 ? mocks[0] : mocks };
    }
  }
  const end = facts.index.end;
  const expect: Expectation = {};
  if (end) {
    const info = (detailsOf(end) ?? {});
    const status = EXECUTION_END_EVENTS[end.type ?? ''];
    expect.status = status;
    expect.path = facts.path;
    if (status === 'SUCCEEDED') expect.output = parse(info.output);
    else {
      if (typeof info.error === 'string') expect.error = info.error;
      if (typeof info.cause === 'string') expect.cause = info.cause;
    }
    if (Object.keys(facts.retries).length > 0) expect.retries = facts.retries;
  }
  const executionName = executionNames(options.executionArn)?.name ?? 'execution';
  const startTime = started?.timestamp ? new Date(started.timestamp).toISOString() : undefined;
  return {
    name: options.name ?? `replay of ${executionName}`,
    description: `Recorded from ${options.executionArn}`,
    input,
    context: { executionName: executionName.slice(0, 80), ...(startTime ? { startTime } : {}) },
    ...(Object.keys(states).length > 0 ? { states } : {}),
    expect,
  };
}

/** Adds the case to a test file (created when missing), keeping what the file already has. */
export function writeReplayCase(file: string, testCase: TestCase, machine: string): { file: string; created: boolean; replaced: boolean } {
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) {
    const document = new Document({ machine, cases: [testCase] });
    document.commentBefore = ` Path tests of ${machine} (deliv test). The first case was recorded by deliv test --from-execution.`;
    writeFileSync(file, file.endsWith('.json') ? `${JSON.stringify({ machine, cases: [testCase] }, null, 2)}\n` : document.toString({ lineWidth: 0 }));
    return { file, created: true, replaced: false };
  }
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    const data = JSON.parse(text) as { cases: TestCase[] };
    const at = data.cases.findIndex((c) => c.name === testCase.name);
    if (at >= 0) data.cases[at] = testCase;
    else data.cases.push(testCase);
    writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
    return { file, created: false, replaced: at >= 0 };
  }
  const document = parseDocument(text, { merge: true });
  const cases = document.get('cases', true);
  const node = document.createNode(testCase);
  let replaced = false;
  if (isSeq(cases)) {
    const at = cases.items.findIndex((item) => (item as { get?: (key: string) => unknown }).get?.('name') === testCase.name);
    replaced = at >= 0;
    if (replaced) cases.items[at] = node;
    else cases.items.push(node);
  } else {
    document.set('cases', document.createNode([testCase]));
  }
  writeFileSync(file, document.toString({ lineWidth: 0 }));
  return { file, created: false, replaced };
}
