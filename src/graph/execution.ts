import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { ATTEMPT_EVENTS, CONTAINER_FAILURE_EVENTS, eventOwners, eventTime, errorOf, EXECUTION_END_EVENTS, WORK_FAILURE_EVENTS, WORK_SUCCESS_EVENTS, type HistoryStatus } from '../asl/history.js';
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

interface Entry {
  name: string;
  enteredId: number;
  enteredAt?: number;
  exitedAt?: number;
  exited: boolean;
  container: boolean;
  failState: boolean;
  aborted: boolean;
  attempts: number;
  /** The last outcome of work done in the state: a failure not followed by a success means the error was caught if the state exited. */
  lastOutcome?: 'success' | 'failure';
  error?: string;
  cause?: string;
  input?: string;
  output?: string;
}

const FAILURE_EVENTS = new Set([...WORK_FAILURE_EVENTS, ...CONTAINER_FAILURE_EVENTS]);

export function summarizeExecution(events: HistoryEvent[], options: { executionArn?: string } = {}): ExecutionSummary {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const byId = new Map<number, HistoryEvent>();
  for (const event of sorted) if (event.id !== undefined) byId.set(event.id, event);
  const entries = new Map<number, Entry>();
  const owners = eventOwners(sorted);
  const summary: ExecutionSummary = { executionArn: options.executionArn, status: 'RUNNING', states: {} };
  let startedAt: number | undefined;
  let stoppedAt: number | undefined;

  for (const event of sorted) {
    const type = event.type ?? '';
    const at = eventTime(event);
    if (type === 'ExecutionStarted') {
      startedAt = at;
      summary.input = event.executionStartedEventDetails?.input;
    } else if (type.endsWith('StateEntered')) {
      entries.set(event.id!, {
        name: event.stateEnteredEventDetails?.name ?? '?',
        enteredId: event.id!,
        enteredAt: at,
        exited: false,
        container: type === 'ParallelStateEntered' || type === 'MapStateEntered',
        failState: type === 'FailStateEntered',
        aborted: false,
        attempts: 0,
        input: event.stateEnteredEventDetails?.input,
      });
    } else if (type.endsWith('StateExited')) {
      const entry = ownerOf(event);
      if (entry) {
        entry.exited = true;
        entry.exitedAt = at;
        entry.output = event.stateExitedEventDetails?.output;
      }
    } else if (type.startsWith('Execution') && type !== 'ExecutionRedriven') {
      const status = EXECUTION_END_EVENTS[type];
      if (status) {
        summary.status = status;
        stoppedAt = at;
        const details = (errorOf(event) ?? {});
        summary.error = details.error;
        summary.cause = details.cause;
        summary.output = event.executionSucceededEventDetails?.output;
      }
    } else if (type.endsWith('StateAborted')) {
      const entry = ownerOf(event);
      if (entry) entry.aborted = true;
    } else if (ATTEMPT_EVENTS.has(type) || WORK_SUCCESS_EVENTS.has(type) || FAILURE_EVENTS.has(type)) {
      const entry = ownerOf(event);
      if (!entry) continue;
      if (ATTEMPT_EVENTS.has(type)) entry.attempts += 1;
      else if (WORK_SUCCESS_EVENTS.has(type)) entry.lastOutcome = 'success';
      else {
        entry.lastOutcome = 'failure';
        const details = (errorOf(event) ?? {});
        entry.error = details.error ?? entry.error;
        entry.cause = details.cause ?? entry.cause;
      }
    }
  }

  if (startedAt !== undefined && stoppedAt !== undefined) summary.durationMs = Math.round(stoppedAt - startedAt);
  decideOutcomes(summary, [...entries.values()], stoppedAt);
  return summary;

  /** The state an event belongs to (src/asl/history.ts reads the structure once for every view). */
  function ownerOf(event: HistoryEvent): Entry | undefined {
    const owner = owners.get(event.id ?? 0);
    return owner === undefined ? undefined : entries.get(owner);
  }
}


function decideOutcomes(summary: ExecutionSummary, entries: Entry[], stoppedAt: number | undefined): void {
  const finished = summary.status !== 'RUNNING';
  const open = entries.filter((entry) => !entry.exited);
  // Where the execution stopped: open leaf states that failed (or, when no
  // state recorded an error, e.g. a Pass with a bad path, the last one entered).
  const openLeaves = open.filter((entry) => !entry.container);
  let failedLeaves = openLeaves.filter((entry) => entry.failState || entry.lastOutcome === 'failure');
  if (failedLeaves.length === 0 && summary.status !== 'ABORTED' && openLeaves.length > 0) {
    failedLeaves = [openLeaves.reduce((latest, entry) => (entry.enteredId > latest.enteredId ? entry : latest))];
  }
  const outcomeOf = (entry: Entry): StateRun['outcome'] => {
    if (entry.exited) {
      if (entry.lastOutcome === 'failure') return 'caught';
      return entry.attempts > 1 ? 'retried' : 'succeeded';
    }
    if (!finished) return 'running';
    if (entry.aborted || summary.status === 'ABORTED') return 'cancelled';
    if (entry.container) return 'failed';
    return failedLeaves.includes(entry) ? 'failed' : 'cancelled';
  };

  const rank: Record<StateRun['outcome'], number> = { failed: 5, running: 4, caught: 3, retried: 2, succeeded: 1, cancelled: 0 };
  for (const entry of entries) {
    const outcome = outcomeOf(entry);
    const run = summary.states[entry.name];
    // A state that never left ran until the execution stopped.
    const leftAt = entry.exitedAt ?? stoppedAt;
    const duration = leftAt !== undefined && entry.enteredAt !== undefined ? leftAt - entry.enteredAt : undefined;
    if (!run) {
      summary.states[entry.name] = {
        name: entry.name,
        outcome,
        entries: 1,
        attempts: Math.max(1, entry.attempts),
        durationMs: duration === undefined ? undefined : Math.round(duration),
        input: entry.input,
        output: entry.output,
        error: entry.error,
        cause: entry.cause,
      };
      continue;
    }
    run.entries += 1;
    run.attempts += Math.max(1, entry.attempts);
    if (duration !== undefined) run.durationMs = Math.round((run.durationMs ?? 0) + duration);
    if (rank[outcome] > rank[run.outcome]) run.outcome = outcome;
    run.input = entry.input ?? run.input;
    run.output = entry.output ?? run.output;
    run.error = entry.error ?? run.error;
    run.cause = entry.cause ?? run.cause;
  }

  if (summary.status === 'FAILED' || summary.status === 'TIMED_OUT') {
    const innermost = failedLeaves.reduce<Entry | undefined>((latest, entry) => (!latest || entry.enteredId > latest.enteredId ? entry : latest), undefined);
    if (innermost) {
      summary.failedState = innermost.name;
      const run = summary.states[innermost.name];
      run.error ??= summary.error;
      run.cause ??= summary.cause;
    }
  }
}



/** The command that explains a failed execution. */
export function explainCommand(execution: ExecutionSummary): string {
  return `deliv explain${execution.executionArn ? ` ${execution.executionArn}` : ''}`;
}

