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
  /** `lambda:<function>` / `bedrock:<model>` → calls (attempts) in this execution. */
  calls: Record<string, number>;
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
    if (call) calls[call] = (calls[call] ?? 0) + 1;
  }
  let retries = 0;
  for (const count of attempts.values()) retries += Math.max(0, count - 1);
  const times = events.map(timeOf).filter(Number.isFinite);
  const durationMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  return { transitions: entered + retries + redrives, retries, durationMs, calls };
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
  return undefined;
}

export interface MeasuredUsage {
  executions: number;
  transitions: Range;
  durationMs: number;
  /** Average calls per execution by `lambda:<function>` / `bedrock:<model>`. */
  calls: Record<string, number>;
}

/** Averages over several executions' histories (min/avg/max transitions). */
export function summarizeExecutions(histories: ReadonlyArray<readonly HistoryEvent[]>): MeasuredUsage | undefined {
  if (histories.length === 0) return undefined;
  const measured = histories.map(measureExecution);
  const transitions = measured.map((execution) => execution.transitions);
  const calls: Record<string, number> = {};
  for (const execution of measured) {
    for (const [key, count] of Object.entries(execution.calls)) calls[key] = (calls[key] ?? 0) + count / measured.length;
  }
  return {
    executions: measured.length,
    transitions: {
      min: Math.min(...transitions),
      expected: transitions.reduce((a, b) => a + b, 0) / transitions.length,
      max: Math.max(...transitions),
    },
    durationMs: measured.reduce((total, execution) => total + execution.durationMs, 0) / measured.length,
    calls,
  };
}
