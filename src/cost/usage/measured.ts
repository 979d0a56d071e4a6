/**
 * Usage measured from execution histories (GetExecutionHistory events), counted
 * the way AWS bills Standard workflows: every state entered is one transition
 * (the `…StateEntered` events: Task, Choice, Pass, Wait, Succeed, Fail,
 * Parallel, Map, and the states inside branches and iterations), every retry is
 * one more, and a redrive is one more. Map iterations, branch starts and the
 * execution's own start and end events are not transitions.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { Range } from './model.js';
import { bedrockModelId, lambdaFunctionName } from './resources.js';
import { tokenUsageOf, type TokenUsage } from './tokens.js';

/** Events that start one attempt of a state's work, and the kind of state that owns them. */
const ATTEMPT_OWNERS: Record<string, string> = {
  TaskScheduled: 'TaskStateEntered',
  LambdaFunctionScheduled: 'TaskStateEntered',
  ActivityScheduled: 'TaskStateEntered',
  ParallelStateStarted: 'ParallelStateEntered',
  MapStateStarted: 'MapStateEntered',
};

function timeOf(event: HistoryEvent): number {
  const timestamp = event.timestamp as unknown;
  if (timestamp instanceof Date) return timestamp.getTime();
  if (typeof timestamp === 'number') return timestamp * 1000;
  if (typeof timestamp === 'string') return Date.parse(timestamp);
  return NaN;
}

export interface MeasuredExecution {
  transitions: number;
  /** Of which retries. */
  retries: number;
  durationMs: number;
  /** `lambda:<function>`, `bedrock:<model>` or the integration (`sns:publish`, `activity:<name>`) → calls (attempts) in this execution. */
  calls: Record<string, number>;
  /** The states that made each call. */
  callStates: Record<string, string[]>;
  /** Bedrock token usage reported by each model's successful calls. */
  tokens: Record<string, TokenUsage[]>;
}

export function countBillableTransitions(events: readonly HistoryEvent[]): number {
  return measureExecution(events).transitions;
}

export function measureExecution(events: readonly HistoryEvent[]): MeasuredExecution {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) if (event.id !== undefined) byId.set(event.id, event);
  let entered = 0;
  let redrives = 0;
  const attempts = new Map<number, number>();
  const calls: Record<string, number> = {};
  const callStates: Record<string, string[]> = {};
  const tokens: Record<string, TokenUsage[]> = {};
  /** Scheduled call → its key, to read the usage from the matching TaskSucceeded. */
  const scheduled = new Map<number, string>();
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) entered++;
    if (type === 'ExecutionRedriven') redrives++;
    const ownerType = ATTEMPT_OWNERS[type];
    if (ownerType) {
      const owner = findOwner(event, ownerType, byId);
      if (owner !== undefined) attempts.set(owner, (attempts.get(owner) ?? 0) + 1);
    }
    const call = calledResource(event);
    if (call) {
      calls[call] = (calls[call] ?? 0) + 1;
      // Parallel branches interleave their events: the owner is found through previousEventId, not by order.
      const owner = findOwner(event, 'TaskStateEntered', byId);
      const state = owner !== undefined ? byId.get(owner)?.stateEnteredEventDetails?.name : undefined;
      if (state && !(callStates[call] ??= []).includes(state)) callStates[call].push(state);
      if (event.id !== undefined) scheduled.set(event.id, call);
    }
    if (type === 'TaskSucceeded') {
      const key = findScheduled(event, scheduled, byId);
      const usage = key?.startsWith('bedrock:') ? tokenUsageOf(event.taskSucceededEventDetails?.output) : undefined;
      if (key && usage) (tokens[key.slice('bedrock:'.length)] ??= []).push(usage);
    }
  }
  let retries = 0;
  for (const count of attempts.values()) retries += Math.max(0, count - 1);
  const times = events.map(timeOf).filter(Number.isFinite);
  const durationMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  return { transitions: entered + retries + redrives, retries, durationMs, calls, callStates, tokens };
}

function findScheduled(event: HistoryEvent, scheduled: Map<number, string>, byId: Map<number, HistoryEvent>): string | undefined {
  let current: HistoryEvent | undefined = event;
  for (let steps = 0; current && steps < 1_000; steps++) {
    if (current.id !== undefined && scheduled.has(current.id)) return scheduled.get(current.id);
    current = current.previousEventId !== undefined ? byId.get(current.previousEventId) : undefined;
  }
  return undefined;
}

/** Follows previousEventId back to the `…StateEntered` event of the state this attempt belongs to. */
function findOwner(event: HistoryEvent, ownerType: string, byId: Map<number, HistoryEvent>): number | undefined {
  let current = event.previousEventId !== undefined ? byId.get(event.previousEventId) : undefined;
  for (let steps = 0; current && steps < 100_000; steps++) {
    if (current.type === ownerType) return current.id;
    current = current.previousEventId !== undefined ? byId.get(current.previousEventId) : undefined;
  }
  return undefined;
}

function calledResource(event: HistoryEvent): string | undefined {
  if (event.type === 'LambdaFunctionScheduled') {
    const resource = event.lambdaFunctionScheduledEventDetails?.resource;
    return resource ? `lambda:${lambdaFunctionName(resource)}` : undefined;
  }
  if (event.type !== 'TaskScheduled') return undefined;
  const details = event.taskScheduledEventDetails;
  if (!details) return undefined;
  let parameters: Record<string, unknown> = {};
  try {
    parameters = JSON.parse(details.parameters ?? '{}') as Record<string, unknown>;
  } catch {
    // Truncated or non-JSON parameters: the call is still counted below by its resource.
  }
  if (details.resourceType === 'lambda' && typeof parameters.FunctionName === 'string') return `lambda:${lambdaFunctionName(parameters.FunctionName)}`;
  if (details.resourceType === 'bedrock' && typeof parameters.ModelId === 'string') return `bedrock:${bedrockModelId(parameters.ModelId)}`;
  // Every other integration under the key the static model gives it (`sns:publish`, `states:startExecution.sync`, ...).
  if (details.resourceType && details.resource) {
    const suffix = details.resource.match(/\.(sync(?::2)?|waitForTaskToken)$/)?.[0] ?? '';
    const action = details.resource.replace(/\.(sync(?::2)?|waitForTaskToken)$/, '');
    return `${details.resourceType}:${action}${suffix}`;
  }
  return undefined;
}

export interface MeasuredUsage {
  executions: number;
  transitions: Range;
  durationMs: number;
  /** Each measured execution's duration: Express rounds each one on its own. */
  durations: number[];
  /** Average calls per execution by `lambda:<function>`, `bedrock:<model>` or integration. */
  calls: Record<string, number>;
  callStates: Record<string, string[]>;
  /** Average Bedrock usage per call by model id, from the calls that reported it. */
  tokens?: Record<string, { inputTokens: number; outputTokens: number; calls: number }>;
}

/** Averages over several executions' histories (min/avg/max transitions). */
export function summarizeExecutions(histories: ReadonlyArray<readonly HistoryEvent[]>): MeasuredUsage | undefined {
  if (histories.length === 0) return undefined;
  const measured = histories.map(measureExecution);
  const transitions = measured.map((execution) => execution.transitions);
  const calls: Record<string, number> = {};
  const callStates: Record<string, string[]> = {};
  const usage: Record<string, TokenUsage[]> = {};
  for (const execution of measured) {
    for (const [key, count] of Object.entries(execution.calls)) calls[key] = (calls[key] ?? 0) + count / measured.length;
    for (const [key, states] of Object.entries(execution.callStates)) for (const name of states) if (!(callStates[key] ??= []).includes(name)) callStates[key].push(name);
    for (const [model, list] of Object.entries(execution.tokens)) (usage[model] ??= []).push(...list);
  }
  const tokens = Object.fromEntries(
    Object.entries(usage).map(([model, list]) => [
      model,
      { inputTokens: list.reduce((total, item) => total + item.inputTokens, 0) / list.length, outputTokens: list.reduce((total, item) => total + item.outputTokens, 0) / list.length, calls: list.length },
    ]),
  );
  return {
    executions: measured.length,
    transitions: {
      min: Math.min(...transitions),
      expected: transitions.reduce((a, b) => a + b, 0) / transitions.length,
      max: Math.max(...transitions),
    },
    durationMs: measured.reduce((total, execution) => total + execution.durationMs, 0) / measured.length,
    durations: measured.map((execution) => execution.durationMs),
    calls,
    callStates,
    tokens: Object.keys(tokens).length > 0 ? tokens : undefined,
  };
}
