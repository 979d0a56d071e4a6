/**
 * TestState as AWS documents it: one state run on its own, through the same
 * engine as whole executions. The state becomes a one-state machine whose
 * transitions lead to placeholder Succeed states (so the engine itself says
 * where it would go next), its Retry is taken out (TestState reports a retry
 * as RETRIABLE instead of performing it), a `mock` answers its Task (or stands
 * for a whole Map or Parallel), and the engine's inspection hook records each
 * step of the data flow for `inspectionData`.
 */
import { duplicateKeys } from '../asl/duplicate-keys.js';
import { StatesErrors } from '../asl/errors.js';
import { duplicateKeyProblems } from '../asl/validate.js';
import type { JsonObject, JsonValue, QueryLanguage, Retrier } from '../asl/types.js';
import { realClock } from './clock.js';
import { compile } from './index.js';
import { compileRetriers, nextRetry } from './retry.js';
import { compileReference } from './paths.js';
import { compilePayload } from './payload.js';
import { batchItems } from './states/map.js';
import type { Clock, HistoryEvent, InspectionStage, TaskRequest, TaskRunner } from './types.js';
import { TaskFailure } from './types.js';

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type TestStateStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface TestStateMock {
  /** The task's (or the whole Map's / Parallel's) result, as JSON text. */
  result?: string;
  errorOutput?: { error?: string; cause?: string };
  fieldValidationMode?: 'STRICT' | 'PRESENT' | 'NONE';
}

export interface TestStateConfiguration {
  /** Retries already made by the retrier that applies to the error. */
  retrierRetryCount?: number;
  /** Where a mocked Map/Parallel error came from (a state of its branches). */
  errorCausedByState?: string;
  /** Iterations of the Map that failed, against its tolerated failure threshold. */
  mapIterationFailureCount?: number;
  mapItemReaderData?: string;
}

export interface TestStateRequest {
  /** A single state, or a whole state machine with `stateName`. */
  definition: string;
  stateName?: string;
  /** JSON text of the state's input; `{}` when absent. */
  input?: string;
  inspectionLevel?: InspectionLevel;
  /** JSON text of an object: the variables in scope. */
  variables?: string;
  /** JSON text of a context object (`$$`) to run the state with. */
  context?: string;
  mock?: TestStateMock;
  stateConfiguration?: TestStateConfiguration;
  roleArn?: string;
}

export interface InspectionData {
  input?: string;
  afterInputPath?: string;
  afterParameters?: string;
  afterArguments?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  variables?: string;
  errorDetails?: { catchIndex?: number; retryIndex?: number; retryBackoffIntervalSeconds?: number };
  afterItemsPath?: string;
  afterItemSelector?: string;
  afterItemBatcher?: string;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  maxConcurrency?: number;
}

export interface TestStateResult {
  status: TestStateStatus;
  output?: string;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: InspectionData;
}

/** A request TestState refuses, with AWS's error code. */
export class TestStateRequestError extends Error {
  constructor(
    readonly code: 'InvalidDefinition' | 'InvalidExecutionInput' | 'ValidationException',
    message: string,
  ) {
    super(message);
    this.name = 'TestStateRequestError';
  }
}

export interface TestStateHost {
  /** Runs the tasks that no mock answers (the emulator's handlers and integrations). */
  runner?: TaskRunner;
  region?: string;
  account?: string;
  clock?: Clock;
}

const STATE_TYPES = new Set(['Task', 'Pass', 'Wait', 'Choice', 'Succeed', 'Fail', 'Map', 'Parallel']);
/** Standing in for a mocked Map or Parallel: a Task the mock answers. */
const MOCKED_RESOURCE = 'arn:aws:states:::deliv:mocked-state';
const PLACEHOLDER = '\u2063deliv-next-';

type StateObject = Record<string, JsonValue>;

function parseJson(text: string, what: string, code: TestStateRequestError['code']): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new TestStateRequestError(code, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is StateObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface Located {
  name: string;
  state: StateObject;
  language: QueryLanguage;
}

/** The state under test: the definition itself, or `stateName` of a whole machine. */
function locate(request: TestStateRequest): Located {
  const parsed = parseJson(request.definition, 'the definition', 'InvalidDefinition');
  if (!isObject(parsed)) throw new TestStateRequestError('InvalidDefinition', 'the definition must be a JSON object: a state, or a state machine with stateName');
  refuseDuplicateKeys(request, parsed);
  if (isObject(parsed.States)) {
    const states = parsed.States;
    const name = request.stateName ?? (typeof parsed.StartAt === 'string' ? parsed.StartAt : undefined);
    if (name === undefined) throw new TestStateRequestError('ValidationException', 'stateName is required when the definition is a state machine without StartAt');
    const state = states[name];
    if (!isObject(state)) throw new TestStateRequestError('ValidationException', `State '${name}' is not a top-level state of the definition (known: ${Object.keys(states).join(', ')})`);
    const language = (state.QueryLanguage ?? parsed.QueryLanguage ?? 'JSONPath') as QueryLanguage;
    return { name, state, language };
  }
  if (typeof parsed.Type !== 'string') throw new TestStateRequestError('InvalidDefinition', 'the definition has neither a Type (a state) nor States (a state machine)');
  return { name: request.stateName ?? 'TestState', state: parsed, language: (parsed.QueryLanguage ?? 'JSONPath') as QueryLanguage };
}

/**
 * Keys written twice, refused as CreateStateMachine refuses them (validate.ts judges): JSON.parse kept
 * the last, so what would run is not what was written. A lone state is judged as the one state of a
 * machine, so that its Parallel branches' and Map's States objects are States objects here too.
 */
function refuseDuplicateKeys(request: TestStateRequest, parsed: StateObject): void {
  const found = duplicateKeys(request.definition);
  if (found.length === 0) return;
  const scope = isObject(parsed.States) ? [] : ['States', request.stateName ?? 'TestState'];
  const problems = duplicateKeyProblems({ file: '', locate: () => ({ line: 0, col: 0 }), duplicates: found.map(({ at }) => ({ at: [...scope, ...at] })) });
  // The pointer as the request wrote it: without the machine a lone state was judged in.
  const written = (pointer: string) => `/${pointer.split('/').slice(scope.length + 1).join('/')}`;
  throw new TestStateRequestError('InvalidDefinition', problems.map((problem) => `${problem.code}: ${problem.message} at ${written(problem.pointer)}`).join('; '));
}

/** Every transition target of a state, in the order AWS lists them (Next, Choices, Default, Catch). */
function rewriteTransitions(state: StateObject, placeholder: (target: string, via: { catchIndex?: number }) => string): StateObject {
  const copy: StateObject = { ...state };
  if (typeof copy.Next === 'string') copy.Next = placeholder(copy.Next, {});
  if (Array.isArray(copy.Choices)) copy.Choices = copy.Choices.map((rule) => (isObject(rule) && typeof rule.Next === 'string' ? { ...rule, Next: placeholder(rule.Next, {}) } : rule));
  if (typeof copy.Default === 'string') copy.Default = placeholder(copy.Default, {});
  if (Array.isArray(copy.Catch)) copy.Catch = copy.Catch.map((catcher, catchIndex) => (isObject(catcher) && typeof catcher.Next === 'string' ? { ...catcher, Next: placeholder(catcher.Next, { catchIndex }) } : catcher));
  return copy;
}

/** A mocked Map or Parallel keeps its own input and output processing around the mocked result. */
function asMockedTask(state: StateObject): StateObject {
  const task: StateObject = { Type: 'Task', Resource: MOCKED_RESOURCE };
  for (const field of ['Comment', 'QueryLanguage', 'InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'Assign', 'Output', 'Catch', 'Next', 'End']) {
    if (state[field] !== undefined) task[field] = state[field];
  }
  // A Map's Parameters are its ItemSelector (per item): they do not shape the mocked result.
  if (state.Type === 'Map') delete task.Parameters;
  return task;
}

/** Runs every Task with the mock, per AWS: the same answer for each attempt. */
class MockRunner implements TaskRunner {
  private readonly result: JsonValue;

  constructor(private readonly mock: TestStateMock) {
    this.result = mock.result === undefined ? null : parseJson(mock.result, 'mock.result', 'ValidationException');
  }

  run(): Promise<JsonValue> {
    if (this.mock.errorOutput) return Promise.reject(new TaskFailure(this.mock.errorOutput.error ?? StatesErrors.TaskFailed, this.mock.errorOutput.cause));
    return Promise.resolve(this.result);
  }
}

/** Without a mock, a task reaches the host's runner; TestState cannot wait for a callback or a child. */
class UnmockedRunner implements TaskRunner {
  constructor(private readonly host: TaskRunner | undefined) {}

  run(request: TaskRequest): Promise<JsonValue> {
    if (!this.host) return Promise.reject(new TaskFailure(StatesErrors.Runtime, `nothing runs ${request.resource} here: give the state a mock`));
    return this.host.run(request);
  }
}

function checkRequest(located: Located, request: TestStateRequest): void {
  const { state } = located;
  const type = String(state.Type);
  if (!STATE_TYPES.has(type)) throw new TestStateRequestError('InvalidDefinition', `TestState cannot run a state of Type '${type}'`);
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  const needsMock = type === 'Map' || type === 'Parallel' || /\.(sync(:2)?|waitForTaskToken)$/.test(resource) || resource.includes(':activity:');
  if (needsMock && !request.mock) {
    throw new TestStateRequestError('ValidationException', `TestState runs a ${type === 'Task' ? `Task with ${resource}` : `${type} state`} only with a mock: give mock.result or mock.errorOutput`);
  }
  if (request.mock && request.mock.result !== undefined && request.mock.errorOutput !== undefined) {
    throw new TestStateRequestError('ValidationException', 'mock takes either result or errorOutput, not both');
  }
  if (request.mock && type !== 'Task' && type !== 'Map' && type !== 'Parallel') {
    throw new TestStateRequestError('ValidationException', `a mock applies to Task, Map and Parallel states, not to a ${type} state`);
  }
  const count = request.stateConfiguration?.retrierRetryCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw new TestStateRequestError('ValidationException', 'stateConfiguration.retrierRetryCount must be an integer >= 0');
}

function contextIdentity(context: JsonObject | undefined, fallback: { executionArn: string; stateMachineArn: string; roleArn: string }) {
  const execution = isObject(context?.Execution) ? context.Execution : {};
  const machine = isObject(context?.StateMachine) ? context.StateMachine : {};
  const text = (value: JsonValue | undefined, otherwise: string): string => (typeof value === 'string' ? value : otherwise);
  return {
    executionArn: text(execution.Id, fallback.executionArn),
    name: text(execution.Name, 'TestState'),
    roleArn: text(execution.RoleArn, fallback.roleArn),
    startTime: typeof execution.StartTime === 'string' ? execution.StartTime : undefined,
    stateMachineArn: text(machine.Id, fallback.stateMachineArn),
    stateMachineName: text(machine.Name, 'TestState'),
  };
}

/** Runs one state as TestState does. Throws TestStateRequestError for a request AWS refuses. */
export async function testState(request: TestStateRequest, host: TestStateHost = {}): Promise<TestStateResult> {
  const located = locate(request);
  checkRequest(located, request);
  const inputText = request.input ?? '{}';
  const input = parseJson(inputText, 'input', 'InvalidExecutionInput');
  const variables = request.variables === undefined ? undefined : parseJson(request.variables, 'variables', 'ValidationException');
  if (variables !== undefined && !isObject(variables)) throw new TestStateRequestError('ValidationException', 'variables must be a JSON object');
  const context = request.context === undefined ? undefined : parseJson(request.context, 'context', 'ValidationException');
  if (context !== undefined && !isObject(context)) throw new TestStateRequestError('ValidationException', 'context must be a JSON object');

  const { name, state, language } = located;
  const type = String(state.Type);
  // The Retry list is checked here, with the engine's rules, since the state runs without it.
  const retryProblems: string[] = [];
  const retriers = compileRetriers(Array.isArray(state.Retry) ? (state.Retry as unknown as Retrier[]) : undefined, (field, message) => retryProblems.push(`${name} ${field}: ${message}`));
  const tested: StateObject = type === 'Map' || type === 'Parallel' ? asMockedTask(state) : { ...state };
  delete tested.Retry;
  // Placeholders stand for the states a transition names; one per distinct (target, catcher).
  const placeholders = new Map<string, { target: string; catchIndex?: number }>();
  const placeholder = (target: string, via: { catchIndex?: number }): string => {
    const key = `${PLACEHOLDER}${placeholders.size}`;
    placeholders.set(key, { target, ...via });
    return key;
  };
  const machineStates: StateObject = { [name]: rewriteTransitions(tested, placeholder) };
  for (const key of placeholders.keys()) machineStates[key] = { Type: 'Succeed' };
  const machine: StateObject = { StartAt: name, States: machineStates };
  if (language === 'JSONata') machine.QueryLanguage = 'JSONata';
  const compiled = compile(machine as never);
  if (!compiled.ok || retryProblems.length > 0) {
    const problems = compiled.ok ? [] : compiled.problems.map((p) => `${p.path.replace(/^States\./, '')}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
    throw new TestStateRequestError('InvalidDefinition', [...problems, ...retryProblems].join('; '));
  }

  const region = host.region ?? 'us-east-1';
  const account = host.account ?? '123456789012';
  const identity = contextIdentity(context, {
    executionArn: `arn:aws:states:${region}:${account}:execution:TestState:${crypto.randomUUID()}`,
    stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:TestState`,
    roleArn: request.roleArn ?? `arn:aws:iam::${account}:role/TestStateRole`,
  });
  const stages: Partial<Record<InspectionStage, JsonValue>> = {};
  const events: HistoryEvent[] = [];
  const runner: TaskRunner = request.mock ? new MockRunner(request.mock) : new UnmockedRunner(host.runner);
  const mapFailures = type === 'Map' ? toleratedFailure(state, request.stateConfiguration?.mapIterationFailureCount) : undefined;
  const result = await compiled.machine.start({
    ...identity,
    input,
    variables: variables as Record<string, JsonValue> | undefined,
    runner: mapFailures ? { run: () => Promise.reject(new TaskFailure(StatesErrors.ExceedToleratedFailureThreshold, mapFailures)) } : runner,
    clock: host.clock ?? skippingClock(),
    inspect: (stage, value) => {
      stages[stage] = value;
    },
    onEvent: (event) => events.push(event),
  }).result;

  const exited = events.findLast((event) => event.type?.endsWith('StateExited') && event.stateExitedEventDetails?.name === name);
  const reached = events.find((event) => event.type === 'SucceedStateEntered' && placeholders.has(event.stateEnteredEventDetails?.name ?? ''));
  const via = reached ? placeholders.get(reached.stateEnteredEventDetails?.name ?? '') : undefined;
  const seen = stages.error as { Error?: string; Cause?: string } | undefined;
  const error = seen?.Error ?? (result.status === 'SUCCEEDED' ? undefined : result.error);
  const cause = seen?.Cause ?? (result.status === 'SUCCEEDED' ? undefined : result.cause);
  const output = exited?.stateExitedEventDetails?.output ?? (result.status === 'SUCCEEDED' && type === 'Succeed' ? JSON.stringify(result.output ?? null) : undefined);

  const inspection: InspectionData = {};
  const detailed = request.inspectionLevel === 'DEBUG' || request.inspectionLevel === 'TRACE';
  if (detailed) {
    inspection.input = inputText;
    for (const stage of ['afterInputPath', 'afterParameters', 'afterArguments', 'result', 'afterResultSelector', 'afterResultPath'] as const) {
      if (stages[stage] !== undefined) inspection[stage] = JSON.stringify(stages[stage]);
    }
    const assigned = exited?.stateExitedEventDetails?.assignedVariables;
    if (variables !== undefined || assigned) {
      const merged: Record<string, JsonValue> = { ...(variables as Record<string, JsonValue> | undefined) };
      for (const [key, text] of Object.entries(assigned ?? {})) merged[key] = JSON.parse(text) as JsonValue;
      inspection.variables = JSON.stringify(merged);
    }
    if (type === 'Map') {
      // A Map has no Parameters stage of its own (its Parameters are the legacy ItemSelector, per item).
      delete inspection.afterParameters;
      if (language === 'JSONPath') Object.assign(inspection, mapItemStages(state, stages.afterInputPath ?? input, { context, variables, readerData: request.stateConfiguration?.mapItemReaderData }));
      if (typeof state.ToleratedFailureCount === 'number') inspection.toleratedFailureCount = state.ToleratedFailureCount;
      if (typeof state.ToleratedFailurePercentage === 'number') inspection.toleratedFailurePercentage = state.ToleratedFailurePercentage;
      if (typeof state.MaxConcurrency === 'number') inspection.maxConcurrency = state.MaxConcurrency;
    }
  }
  const finish = (outcome: TestStateResult): TestStateResult => {
    const data = { ...inspection, ...outcome.inspectionData };
    const shaped: TestStateResult = { status: outcome.status };
    for (const key of ['output', 'error', 'cause', 'nextState'] as const) if (outcome[key] !== undefined) shaped[key] = outcome[key];
    if (Object.keys(data).length > 0) shaped.inspectionData = data;
    return shaped;
  };

  if (error !== undefined) {
    // TestState reports the retry it would make: retrierRetryCount retries already made by the retrier that applies.
    const retried = request.stateConfiguration?.retrierRetryCount ?? 0;
    const retry = nextRetry(retriers, error, () => retried);
    if (retry) return finish({ status: 'RETRIABLE', error, cause, inspectionData: { errorDetails: { retryIndex: retry.index, retryBackoffIntervalSeconds: Math.round(retry.delayMs / 1000) } } });
    if (via?.catchIndex !== undefined) return finish({ status: 'CAUGHT_ERROR', error, cause, output, nextState: via.target, inspectionData: { errorDetails: { catchIndex: via.catchIndex } } });
    return finish({ status: 'FAILED', error, cause });
  }
  return finish({ status: 'SUCCEEDED', output, nextState: via?.target });
}

/**
 * What a mocked JSONPath Map does with its items before it would start iterating, for
 * inspectionData: the items (ItemsPath over the effective input, or the ItemReader's data that
 * stateConfiguration.mapItemReaderData stands for), each ItemSelector'd with its
 * `$$.Map.Item`, then cut into ItemBatcher's batches. A path that finds nothing leaves the
 * stages out: the mock stands for the whole Map, failures included.
 */
function mapItemStages(state: StateObject, effective: JsonValue, given: { context?: JsonValue; variables?: JsonValue; readerData?: string }): Pick<InspectionData, 'afterItemsPath' | 'afterItemSelector' | 'afterItemBatcher'> {
  const stages: Pick<InspectionData, 'afterItemsPath' | 'afterItemSelector' | 'afterItemBatcher'> = {};
  const context = isObject(given.context) ? given.context : {};
  const variables = isObject(given.variables) ? given.variables : {};
  let items: JsonValue | undefined;
  if (isObject(state.ItemReader)) {
    if (given.readerData === undefined) return stages;
    items = parseJson(given.readerData, 'stateConfiguration.mapItemReaderData', 'ValidationException');
  } else {
    const path = typeof state.ItemsPath === 'string' ? state.ItemsPath : '$';
    items = compileReference(path)({ input: effective, context, variables });
    if (items !== undefined) stages.afterItemsPath = JSON.stringify(items);
  }
  if (!Array.isArray(items)) return stages;
  const template = state.ItemSelector ?? state.Parameters;
  const selector = template === undefined ? undefined : compilePayload(template, state.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters');
  const selected = selector ? items.map((value, index) => selector({ input: effective, context: { ...context, Map: { Item: { Index: index, Value: value } } }, variables })) : items;
  if (selector) stages.afterItemSelector = JSON.stringify(selected);
  if (isObject(state.ItemBatcher)) {
    const batcher = state.ItemBatcher;
    const number = (value: JsonValue | undefined): number | undefined => (typeof value === 'number' ? value : undefined);
    const batchInput = batcher.BatchInput === undefined ? undefined : compilePayload(batcher.BatchInput, 'ItemBatcher.BatchInput')({ input: effective, context, variables });
    stages.afterItemBatcher = JSON.stringify(batchItems(selected, { maxItems: number(batcher.MaxItemsPerBatch), maxBytes: number(batcher.MaxInputBytesPerBatch), batchInput }));
  }
  return stages;
}

/** The cause when mocked Map iterations failed beyond what the Map tolerates, or undefined when within. */
function toleratedFailure(state: StateObject, failed: number | undefined): string | undefined {
  if (failed === undefined || failed === 0) return undefined;
  const count = typeof state.ToleratedFailureCount === 'number' ? state.ToleratedFailureCount : undefined;
  const percentage = typeof state.ToleratedFailurePercentage === 'number' ? state.ToleratedFailurePercentage : undefined;
  if (count !== undefined && failed <= count) return undefined;
  if (percentage === 100) return undefined;
  return `The specified tolerated failure threshold was exceeded: ${failed} item${failed === 1 ? '' : 's'} failed`;
}

/**
 * TestState reports what a Wait would do without waiting; deadlines
 * (TimeoutSeconds racing a real handler) stay in real time.
 */
function skippingClock(): Clock {
  const real = realClock(1);
  let skipped = 0;
  return {
    now: () => Date.now() + skipped,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      skipped += Math.max(0, ms);
      return Promise.resolve();
    },
    deadline: (ms, signal) => (real.deadline ?? real.sleep)(ms, signal),
  };
}
