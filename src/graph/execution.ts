import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { CONTAINER_FAILURE_EVENTS, eventTime, errorOf, indexHistory, WORK_FAILURE_EVENTS, WORK_SUCCESS_EVENTS, type HistoryStatus, type StateVisit } from '../asl/history.js';
import { formatDuration } from '../ui/duration.js';

export { formatDuration };

/**
 * What happened to each state in one execution, read from its history (the
 * AWS GetExecutionHistory shape, local or AWS alike). A pure function of the
 * events, so graph colours are the same whichever target ran the execution.
 */

export type StateOutcome = 'succeeded' | 'retried' | 'caught' | 'failed' | 'running' | 'cancelled' | 'not-reached';
export type ExecutionStatus = HistoryStatus;

export interface StateRun {
  name: string;
  outcome: Exclude<StateOutcome, 'not-reached'>;
  /** How many times the state was entered (loops, Map iterations). */
  entries: number;
  /** Task attempts (retries included) summed over entries; 1 per entry for other states. */
  attempts: number;
  /** Time from entering to leaving the state, summed over entries that left it. */
  durationMs?: number;
  /** Input and output of the last entry, as the history has them (JSON text). */
  input?: string;
  output?: string;
  /** The last error seen in the state, caught or not. */
  error?: string;
  cause?: string;
}

export interface ExecutionSummary {
  executionArn?: string;
  status: ExecutionStatus;
  durationMs?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The innermost state where the execution failed. */
  failedState?: string;
  states: Record<string, StateRun>;
}

const FAILURE_EVENTS = new Set([...WORK_FAILURE_EVENTS, ...CONTAINER_FAILURE_EVENTS]);
const isContainer = (visit: StateVisit): boolean => visit.type === 'Parallel' || visit.type === 'Map';

/** The last outcome of work done in an entry: a failure not followed by a success means the error was caught if the state exited. */
function lastOutcomeOf(visit: StateVisit): { outcome?: 'success' | 'failure'; error?: string; cause?: string } {
  let outcome: 'success' | 'failure' | undefined;
  let error: string | undefined;
  let cause: string | undefined;
  for (const event of visit.events) {
    const type = event.type ?? '';
    if (WORK_SUCCESS_EVENTS.has(type)) outcome = 'success';
    else if (FAILURE_EVENTS.has(type)) {
      outcome = 'failure';
      const details = errorOf(event) ?? {};
      error = details.error ?? error;
      cause = details.cause ?? cause;
    }
  }
  return { outcome, error, cause };
}

/** What happened to each state, read from the one history index (src/asl/history.ts). */
export function summarizeExecution(events: HistoryEvent[], options: { executionArn?: string } = {}): ExecutionSummary {
  const index = indexHistory([...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)));
  const summary: ExecutionSummary = { executionArn: options.executionArn, status: index.status, states: {} };
  summary.input = index.started?.executionStartedEventDetails?.input;
  if (index.end) {
    const recorded = errorOf(index.end) ?? {};
    summary.error = recorded.error;
    summary.cause = recorded.cause;
    summary.output = index.end.executionSucceededEventDetails?.output;
  }
  if (index.durationMs !== undefined) summary.durationMs = Math.round(index.durationMs);
  const stoppedAt = index.end ? eventTime(index.end) : undefined;
  const finished = index.status !== 'RUNNING';
  // The state it failed in is the index's one answer (explain and logs read the same); a stop is not a state's failure.
  const failing = index.status === 'FAILED' || index.status === 'TIMED_OUT' ? index.failure?.visit : undefined;
  // Other leaves still open when it ended failed too when their work did (Parallel branches, Map items); the rest were cancelled.
  const failedLeaf = (visit: StateVisit, last: ReturnType<typeof lastOutcomeOf>) => visit === failing || visit.type === 'Fail' || last.outcome === 'failure';

  const outcomeOf = (visit: StateVisit, last: ReturnType<typeof lastOutcomeOf>): StateRun['outcome'] => {
    if (visit.exited) {
      if (last.outcome === 'failure') return 'caught';
      return visit.attempts > 1 ? 'retried' : 'succeeded';
    }
    if (!finished) return 'running';
    if (index.status === 'ABORTED' || visit.events.some((event) => event.type?.endsWith('StateAborted'))) return 'cancelled';
    if (isContainer(visit)) return 'failed';
    return failedLeaf(visit, last) ? 'failed' : 'cancelled';
  };

  const rank: Record<StateRun['outcome'], number> = { failed: 5, running: 4, caught: 3, retried: 2, succeeded: 1, cancelled: 0 };
  for (const visit of index.visits) {
    const last = lastOutcomeOf(visit);
    const outcome = outcomeOf(visit, last);
    const run = summary.states[visit.name];
    // A state that never left ran until the execution stopped.
    const enteredAt = eventTime(visit.entered);
    const leftAt = visit.exited ? eventTime(visit.exited) : stoppedAt;
    const duration = leftAt !== undefined && enteredAt !== undefined ? leftAt - enteredAt : undefined;
    const input = visit.entered.stateEnteredEventDetails?.input;
    const output = visit.exited?.stateExitedEventDetails?.output;
    if (!run) {
      summary.states[visit.name] = {
        name: visit.name,
        outcome,
        entries: 1,
        attempts: Math.max(1, visit.attempts),
        durationMs: duration === undefined ? undefined : Math.round(duration),
        input,
        output,
        error: last.error,
        cause: last.cause,
      };
      continue;
    }
    run.entries += 1;
    run.attempts += Math.max(1, visit.attempts);
    if (duration !== undefined) run.durationMs = Math.round((run.durationMs ?? 0) + duration);
    if (rank[outcome] > rank[run.outcome]) run.outcome = outcome;
    run.input = input ?? run.input;
    run.output = output ?? run.output;
    run.error = last.error ?? run.error;
    run.cause = last.cause ?? run.cause;
  }

  if (failing) {
    summary.failedState = failing.name;
    const run = summary.states[failing.name];
    run.error ??= summary.error;
    run.cause ??= summary.cause;
  }
  return summary;
}

/** The command that explains a failed execution. */
export function explainCommand(execution: ExecutionSummary): string {
  return `deliv explain${execution.executionArn ? ` ${execution.executionArn}` : ''}`;
}

