/**
 * `deliv start`: which machine, its input, the start itself (src/deploy/start.ts),
 * and with `wait` the execution followed to its end and, when it failed and
 * `explain` is asked, explained. The command parses flags, hands the lines
 * this produces to the output layer, and returns the `StartResult` as its
 * `--json` document.
 */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { Project } from '../project/config.js';
import type { TargetFlags } from '../aws/target.js';
import type { ExplainResult } from '../explain/index.js';
import type { FailureContext } from '../explain/context.js';
import { declaredBy, followExecution, isTerminalEvent } from '../aws/sfn.js';
import { readExecutionInput } from '../deploy/input.js';
import { startExecution, type StartedExecution } from '../deploy/start.js';
import { connect, type Connection } from '../local/connect.js';
import { explainShownFailure, type LogsOutput } from '../logs/show.js';
import { executionOutcome, formatDuration, formatHistory, type ExecutionOutcome } from '../logs/format.js';
import { wrapWords } from '../ui/width.js';
import { paint, paintStatus } from '../ui/colors.js';
import { DelivError, UsageError } from '../ui/errors.js';
import { EXIT_CODES, interruption } from '../ui/interrupt.js';

export interface StartCommandRequest extends TargetFlags {
  /** deliv.yaml name or ARN; none: the project's only machine. */
  machine?: string;
  /** A JSON file, inline JSON, or `-` for stdin (readExecutionInput). */
  input?: string;
  name?: string;
  alias?: string;
  testCase?: string;
  wait?: boolean;
  data?: boolean;
  explain?: boolean;
  json?: boolean;
  columns?: number;
  project?: Project;
  cwd: string;
}

/** `line` is for stdout (dropped under --json); following stops on Ctrl-C (ui/interrupt.ts). */
export type StartOutput = Omit<LogsOutput, 'signal'>;

interface Started {
  executionArn: string;
  stateMachineArn: string;
  type: 'STANDARD' | 'EXPRESS';
}

/** The `--json` document of `deliv start`, one shape for each way it ends. */
export type StartResult =
  /** A Standard execution started, not waited for. */
  | (Started & { startDate?: Date })
  /** An Express execution: StartSyncExecution answered with its end. */
  | (Started & { status: string; output?: string; error?: string; cause?: string; explanation?: ExplainResult })
  /** A Standard execution followed with --wait (status RUNNING: the user stopped following). */
  | (Started & ExecutionOutcome & { explanation?: ExplainResult });

export async function startCommand(request: StartCommandRequest, out: StartOutput): Promise<StartResult> {
  const machine = request.machine ?? onlyMachine(request.project);
  const input = await readExecutionInput(request.input, request.cwd);
  const connection = await connect(request.project, request, out.note);
  const started = await startExecution(connection.sfn, { machine, input, name: request.name, alias: request.alias, testCase: request.testCase, declared: declaredBy(request.project) });
  const base: Started = { executionArn: started.executionArn, stateMachineArn: started.stateMachineArn, type: started.type };
  const explain = (context?: FailureContext) => explainShownFailure(started.executionArn, { ...connection, project: request.project, json: request.json, out, context });

  if (started.sync) return { ...base, ...(await syncEnd(started, started.sync, input, request, out, connection, explain)) };

  // The ARN is copied from here: on a terminal too narrow for the line, it goes whole on a line of its own.
  for (const line of wrapWords(`Started ${started.executionArn}`, request.columns)) out.line(line);
  if (!request.wait) return { ...base, startDate: started.startDate };
  // Ctrl-C stops following only; once the execution has ended it ends the process again, as usual.
  const interrupt = interruption();
  const events = await followExecution(
    connection.sfn,
    started.executionArn,
    (fresh, all) => {
      for (const line of formatHistory(all, { from: all.length - fresh.length, data: request.data, columns: request.columns, executionArn: started.executionArn, stateNames: started.stateNames })) out.line(line);
    },
    { signal: interrupt.signal },
  ).finally(() => interrupt.done());
  const outcome = executionOutcome(events);
  if (interrupt.signal.aborted && outcome.status === 'RUNNING') {
    // Wrapped as the Started line is: the ARN in it stays whole, to be copied.
    for (const line of wrapWords(`Stopped following; the execution goes on. Resume with: deliv logs ${started.executionArn} --follow`, request.columns)) out.note(line);
  } else {
    out.line(`${paintStatus(outcome.status)}${outcome.durationMs === undefined ? '' : ` in ${formatDuration(outcome.durationMs)}`}`);
    if (outcome.status === 'SUCCEEDED' && outcome.output !== undefined) out.line(outcome.output);
  }
  const failed = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(outcome.status);
  return { ...base, ...outcome, explanation: failed && request.explain ? await explain() : undefined };
}

/** 0 when the execution succeeded (or was only started), 130 when the user stopped following it (still RUNNING), else 1. */
export function startExitCode(result: StartResult): number {
  if (!('status' in result)) return EXIT_CODES.ok;
  if (result.status === 'RUNNING') return EXIT_CODES.interrupted;
  return result.status === 'SUCCEEDED' ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function onlyMachine(project: Project | undefined): string {
  const names = Object.keys(project?.config.stateMachines ?? {});
  if (names.length === 1) return names[0];
  throw new UsageError(project ? `which state machine? ${project.file} has ${names.length}: ${names.join(', ')}` : 'name the state machine to start (no deliv.yaml here)', {
    hint: 'deliv start <name> --input <file>',
    code: project ? 'USAGE' : 'PROJECT_NOT_FOUND',
  });
}

/** An Express run's result, printed; with --wait its logged events too, and with --explain why it failed. */
async function syncEnd(
  started: StartedExecution,
  sync: NonNullable<StartedExecution['sync']>,
  input: string,
  request: StartCommandRequest,
  out: StartOutput,
  connection: Connection,
  explain: (context?: FailureContext) => Promise<ExplainResult | undefined>,
) {
  const { status, output, error, cause } = sync;
  const took = sync.stopDate && started.startDate ? ` in ${formatDuration(sync.stopDate.getTime() - started.startDate.getTime())}` : '';
  // The ARN alone on its line: on any terminal it stays whole, to be copied.
  out.line(started.executionArn);
  // The result is at hand; --wait also prints the events, which only the machine's log group holds.
  const logged = request.wait ? await loggedEvents(connection.sfn, started.executionArn, started.stateNames, request, out) : [];
  out.line(`${paintStatus(status)}${took}`);
  if (status === 'SUCCEEDED') out.line(output ?? '');
  else out.line(paint.failure([error, cause].filter(Boolean).join(': ')));
  let explanation: ExplainResult | undefined;
  if (status !== 'SUCCEEDED' && request.explain && logged.some((event) => event.type === 'ExecutionFailed' || event.type === 'ExecutionTimedOut')) {
    // The logged history gives the same failure context as a Standard one.
    explanation = await explain();
  } else if (status !== 'SUCCEEDED' && request.explain) {
    // Not logged (or not yet): explain from the result StartSyncExecution returned.
    const { syncFailureContext } = await import('../explain/index.js');
    explanation = await explain(await syncFailureContext(connection.sfn, { executionArn: started.executionArn, stateMachineArn: started.stateMachineArn, input, error, cause, status }));
  }
  return { status, output, error, cause, explanation };
}

/**
 * An Express execution's events from its machine's log group, printed as a
 * history. CloudWatch Logs receives them shortly after the run: this waits
 * for the last one a little while. Logging off is said, not fatal: the
 * result was printed already.
 */
async function loggedEvents(sfn: SFNClient, executionArn: string, stateNames: readonly string[], request: StartCommandRequest, out: StartOutput): Promise<HistoryEvent[]> {
  try {
    const events = await followExecution(
      sfn,
      executionArn,
      (fresh, all) => {
        for (const line of formatHistory(all, { from: all.length - fresh.length, data: request.data, columns: request.columns, executionArn, stateNames })) out.line(line);
      },
      { signal: AbortSignal.timeout(LOG_DELIVERY_WAIT_MS), pollMs: { min: 200, max: 1000 } },
    );
    if (!events.some(isTerminalEvent)) {
      for (const line of wrapWords(`the log group has not received every event yet: \`deliv logs ${executionArn}\` shows them once it has`, request.columns)) out.note(line);
    }
    return events;
  } catch (error) {
    if (!(error instanceof DelivError)) throw error;
    out.note(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
    return [];
  }
}

/** How long `start --wait` waits for an Express run's last event to reach its log group (AWS delivers within seconds). */
const LOG_DELIVERY_WAIT_MS = 15_000;
