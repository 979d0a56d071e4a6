/**
 * The ASL engine: `compile(definition)` once, then `machine.start(options)`
 * as many times as needed. See types.ts for the contract with hosts.
 */
import type { JsonValue, StateMachineDefinition } from '../asl/types.js';
import { realClock } from './clock.js';
import { compileGraph } from './compile.js';
import type { CompiledState } from './execution.js';
import { driveChain, Execution, Frame } from './execution.js';
import { Cancelled, executionTimedOutCause, StateFailure } from './failure.js';
import type { CompileProblem, CompileResult, ExecutionHandle, ExecutionOptions, ExecutionResult } from './types.js';
import { StatesErrors } from '../asl/errors.js';
import { EXPRESS_MAX_SECONDS } from '../asl/limits.js';

export { realClock, VirtualClock, virtualClock } from './clock.js';
export { StatesError } from './errors.js';
export { encodeTaskToken, TASK_TOKEN_PATTERN, taskTokenFor } from './execution.js';
export { describeResource } from './states/task.js';
export type { ResourceInfo } from './states/task.js';
export * from './types.js';

const defaultClock = realClock(1);

export function compile(definition: StateMachineDefinition | string): CompileResult {
  const problems: CompileProblem[] = [];
  const warnings: CompileProblem[] = [];
  let parsed: StateMachineDefinition;
  try {
    parsed = typeof definition === 'string' ? (JSON.parse(definition) as StateMachineDefinition) : definition;
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `the definition is not valid JSON: ${(error as Error).message}` }] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, problems: [{ path: '', message: 'the definition must be a JSON object' }] };
  const timeoutSeconds = parsed.TimeoutSeconds;
  if (timeoutSeconds !== undefined && (typeof timeoutSeconds !== 'number' || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 1)) {
    problems.push({ path: '', field: 'TimeoutSeconds', message: 'TimeoutSeconds must be a positive integer' });
  }
  let graph: { start: CompiledState | null };
  try {
    graph = compileGraph(parsed, '', parsed.QueryLanguage ?? 'JSONPath', problems, new Set(), warnings);
  } catch (error) {
    // A definition shaped in a way no check foresaw: still a problem report, never a throw.
    problems.push({ path: '', message: `could not compile the definition: ${(error as Error).message}` });
    graph = { start: null };
  }
  if (problems.length > 0 || graph.start === null) {
    if (problems.length === 0) problems.push({ path: '', field: 'StartAt', message: 'no start state' });
    return { ok: false, problems };
  }
  const start = graph.start;
  return {
    ok: true,
    warnings,
    machine: {
      start: (options: ExecutionOptions): ExecutionHandle => startExecution(start, timeoutSeconds, options),
    },
  };
}

function startExecution(start: CompiledState, timeoutSeconds: number | undefined, options: ExecutionOptions): ExecutionHandle {
  const exec = new Execution(options, options.clock ?? defaultClock);
  const frame = new Frame(exec, options.variables ? { ...options.variables } : {}, exec.root, 0);
  const handle: ExecutionHandle = {
    result: exec.result,
    stop(error?: string, cause?: string) {
      if (exec.done) return;
      exec.root.cancel(new Cancelled('aborted'));
      exec.finish({ status: 'ABORTED', error, cause }, frame);
    },
    halt(cause: string) {
      if (!exec.done) exec.halted ??= new StateFailure(StatesErrors.Runtime, cause);
    },
  };
  try {
    exec.emit(frame, 'ExecutionStarted', 'executionStartedEventDetails', {
      input: exec.json(options.input),
      inputDetails: { truncated: false },
      roleArn: options.roleArn,
    }, undefined, true);
    // AWS records the first state's entry with previousEventId 0, not the ExecutionStarted id.
    frame.last = 0;
  } catch (error) {
    exec.fail(error, frame);
    return handle;
  }
  // An Express execution times out at five minutes whatever TimeoutSeconds says, as a shorter TimeoutSeconds would time it out.
  const limit = options.type === 'EXPRESS' ? Math.min(timeoutSeconds ?? EXPRESS_MAX_SECONDS, EXPRESS_MAX_SECONDS) : timeoutSeconds;
  let timer: AbortController | undefined;
  if (limit !== undefined) {
    timer = new AbortController();
    const startedAt = exec.lastTimestamp;
    const remaining = Math.max(0, startedAt + limit * 1000 - exec.clock.now());
    // The five minutes are Express's own limit, not one the definition set: no virtual clock jumps to them.
    const servicesLimit = options.type === 'EXPRESS' && (timeoutSeconds === undefined || timeoutSeconds >= EXPRESS_MAX_SECONDS);
    (servicesLimit ? exec.limit(remaining, timer.signal) : exec.deadline(remaining, timer.signal)).then(
      () => {
        if (exec.done) return;
        exec.root.cancel(new Cancelled('timed-out'));
        exec.finish({ status: 'TIMED_OUT', error: StatesErrors.Timeout, cause: executionTimedOutCause(limit) }, frame);
      },
      () => {},
    );
  }
  const succeed = (output: JsonValue): void => {
    timer?.abort();
    if (!exec.done) exec.finish({ status: 'SUCCEEDED', output }, frame);
  };
  const fail = (error: unknown): void => {
    timer?.abort();
    if (exec.done || error instanceof Cancelled) return;
    exec.fail(error instanceof StateFailure ? error : new StateFailure(StatesErrors.Runtime, error instanceof Error ? error.message : String(error)), frame);
  };
  driveChain(frame, start, options.input, succeed, fail);
  return handle;
}

/** Runs an execution to its end: a convenience for tests, benches and scripts. */
export async function execute(machine: { start(options: ExecutionOptions): ExecutionHandle }, options: ExecutionOptions): Promise<ExecutionResult> {
  return machine.start(options).result;
}
