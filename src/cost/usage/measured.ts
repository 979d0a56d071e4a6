/**
 * Usage measured from execution histories (GetExecutionHistory events), counted
 * the way AWS bills Standard workflows: every state entered is one transition
 * (the `…StateEntered` events: Task, Choice, Pass, Wait, Succeed, Fail,
 * Parallel, Map, and the states inside branches and iterations), every retry is
 * one more, and a redrive is one more. Map iterations, branch starts and the
 * execution's own start and end events are not transitions.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { eventTime, historyValue, indexHistory, retriesByState } from '../../asl/history.js';
import type { Range } from './model.js';
import { bedrockModelId, lambdaFunctionName } from './resources.js';
import { tokenUsageOf, type TokenUsage } from './tokens.js';

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
  /** Entries by state name. */
  entered: Record<string, number>;
}

export function countBillableTransitions(events: readonly HistoryEvent[]): number {
  return measureExecution(events).transitions;
}

export function measureExecution(events: readonly HistoryEvent[]): MeasuredExecution {
  const index = indexHistory(events);
  let redrives = 0;
  const calls: Record<string, number> = {};
  const callStates: Record<string, string[]> = {};
  const tokens: Record<string, TokenUsage[]> = {};
  const entered: Record<string, number> = {};
  for (const event of events) if (event.type === 'ExecutionRedriven') redrives++;
  for (const visit of index.visits) {
    entered[visit.name] = (entered[visit.name] ?? 0) + 1;
    // The call a task's result answers: the one it scheduled last before it (a retry schedules again).
    let call: string | undefined;
    for (const event of visit.events) {
      const called = calledResource(event);
      if (called) {
        call = called;
        calls[call] = (calls[call] ?? 0) + 1;
        if (!(callStates[call] ??= []).includes(visit.name)) callStates[call].push(visit.name);
      }
      if (event.type === 'TaskSucceeded' && call?.startsWith('bedrock:')) {
        const usage = tokenUsageOf(event.taskSucceededEventDetails?.output);
        if (usage) (tokens[call.slice('bedrock:'.length)] ??= []).push(usage);
      }
    }
  }
  const retries = Object.values(retriesByState(index)).reduce((total, count) => total + count, 0);
  const times = events.map(eventTime).filter((time): time is number => time !== undefined);
  const durationMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  return { transitions: index.visits.length + retries + redrives, retries, durationMs, calls, callStates, tokens, entered };
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

/** A child execution a measured run started: a Distributed Map's Map Run (its children listed by it), or a `states:startExecution` child. */
export interface ChildReference {
  /** The state that started it. */
  state: string;
  kind: 'mapRun' | 'execution';
  arn: string;
}

/**
 * The child executions one history started: each Map Run (MapRunStarted's
 * mapRunArn) and each execution a `states:startExecution` task reports in its
 * output (ExecutionArn, with or without .sync).
 */
export function childReferences(events: readonly HistoryEvent[]): ChildReference[] {
  const found: ChildReference[] = [];
  for (const visit of indexHistory(events).visits) {
    let starts = false;
    for (const event of visit.events) {
      if (event.type === 'MapRunStarted' && event.mapRunStartedEventDetails?.mapRunArn) found.push({ state: visit.name, kind: 'mapRun', arn: event.mapRunStartedEventDetails.mapRunArn });
      if (event.type === 'TaskScheduled') starts = event.taskScheduledEventDetails?.resourceType === 'states' && /^startExecution/.test(event.taskScheduledEventDetails.resource ?? '');
      if (event.type === 'TaskSucceeded' && starts) {
        const output = historyValue(event.taskSucceededEventDetails?.output);
        const arn = output !== null && typeof output === 'object' && !Array.isArray(output) ? output.ExecutionArn : undefined;
        if (typeof arn === 'string') found.push({ state: visit.name, kind: 'execution', arn });
      }
    }
  }
  return found;
}

/**
 * Child executions the measured runs started, by the state of the parent that started them: counted, and measured
 * from their own histories where those can be read.
 */
export interface MeasuredChild {
  state: string;
  kind: 'mapRun' | 'execution';
  /** Children per measured parent execution (every child counted, read or not); absent when they could not be counted. */
  perExecution?: number;
  /** The children's own usage, from the histories read (at most the --from-executions limit per state), their own children's included. */
  usage?: Omit<MeasuredUsage, 'histories'>;
  /** Why no history of theirs was read: the caller estimates them from the definition and says so. */
  unread?: string;
  /** Each child's run time from its listing (start to stop), where no history was read: what an Express child bills. */
  listedDurations?: number[];
  /** The machine a startExecution child ran (from its ARN), and whether it is an Express execution. */
  machine?: string;
  express?: boolean;
}

/** `arn:…:execution:<machine>:<name>` or `arn:…:express:<machine>:<name>:<id>` → `<machine>`. */
export function machineOfExecution(arn: string): string | undefined {
  return /:(?:execution|express):([^:]+):/.exec(arn)?.[1];
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
  /** Bedrock usage per call by model id: what the calls reported, over all its calls (`calls`: how many reported). */
  tokens?: Record<string, { inputTokens: number; outputTokens: number; calls: number }>;
  /** The histories measured, with their execution ARNs: what their CloudWatch Logs events weigh is measured from them. */
  histories?: Array<{ executionArn: string; events: readonly HistoryEvent[] }>;
  /** The child executions the measured runs started (Distributed Map children, startExecution children), measured from theirs. */
  children?: MeasuredChild[];
  /** Average entries per execution by state name: whether the measured runs reached a state at all. */
  entered?: Record<string, number>;
  /** Set when these runs' own child executions were not read, and why. */
  childrenUnread?: string;
}

/** Averages over several executions' histories (min/avg/max transitions). */
export function summarizeExecutions(histories: ReadonlyArray<readonly HistoryEvent[]>): MeasuredUsage | undefined {
  if (histories.length === 0) return undefined;
  const measured = histories.map(measureExecution);
  const transitions = measured.map((execution) => execution.transitions);
  const calls: Record<string, number> = {};
  const callStates: Record<string, string[]> = {};
  const usage: Record<string, TokenUsage[]> = {};
  const entered: Record<string, number> = {};
  for (const execution of measured) {
    for (const [name, count] of Object.entries(execution.entered)) entered[name] = (entered[name] ?? 0) + count / measured.length;
    for (const [key, count] of Object.entries(execution.calls)) calls[key] = (calls[key] ?? 0) + count / measured.length;
    for (const [key, states] of Object.entries(execution.callStates)) for (const name of states) if (!(callStates[key] ??= []).includes(name)) callStates[key].push(name);
    for (const [model, list] of Object.entries(execution.tokens)) (usage[model] ??= []).push(...list);
  }
  // Per call over every call of the model, answered or not: a throttled or failed call bills no tokens, so
  // calls × tokens per call is what the histories used.
  const tokens = Object.fromEntries(
    Object.entries(usage).map(([model, list]) => {
      const calls = measured.reduce((total, execution) => total + (execution.calls[`bedrock:${model}`] ?? 0), 0) || list.length;
      return [model, { inputTokens: list.reduce((total, item) => total + item.inputTokens, 0) / calls, outputTokens: list.reduce((total, item) => total + item.outputTokens, 0) / calls, calls: list.length }];
    }),
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
    entered,
  };
}
