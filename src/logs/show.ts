/**
 * `deliv logs`: the histories of one execution, or of the recent executions of
 * some state machines, and with `follow` everything that happens next. The
 * command parses flags and hands the lines this produces to the output layer;
 * every decision (which machines, what a line says, when to explain) is here.
 *
 * Under `--json` the output is JSON lines, not one document, since `--follow`
 * never ends: each line is a `LogsJsonLine`.
 */
import type { ExecutionListItem, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { Project } from '../project/config.js';
import type { TargetFlags } from '../aws/target.js';
import type { ExecutionStatusFilter } from '../aws/sfn.js';
import type { ExplainResult } from '../explain/index.js';
import { declaredBy, findStateMachineArn, followExecution, listStateMachines } from '../aws/sfn.js';
import { loggingNotes } from '../aws/logs.js';
import { connect, type Connection } from '../local/connect.js';
import { paint, paintStatus } from '../ui/colors.js';
import { UsageError } from '../ui/errors.js';
import { fitVisible } from '../ui/width.js';
import { eventJson, formatHistory, type FormatOptions } from './format.js';
import { isExecutionArn, parseSince, tailMachines } from './tail.js';
import { EXECUTION_END_EVENTS } from '../asl/history.js';

export interface LogsRequest extends TargetFlags {
  /** An execution ARN, a state machine name or ARN, or nothing: every machine of deliv.yaml. */
  subject?: string;
  follow?: boolean;
  /** `30m`, `1h`, `2d` or a date (parseSince). */
  since?: string;
  status?: ExecutionStatusFilter;
  limit: number;
  data?: boolean;
  utc?: boolean;
  explain?: boolean;
  json?: boolean;
  /** Terminal width the human lines are fitted to (none: not a terminal). */
  columns?: number;
  project?: Project;
}

export interface LogsOutput {
  /** One line for stdout, without its newline: a `LogsJsonLine` under --json, else a history line. */
  line(text: string): void;
  /** Raw text for stdout (an explanation streamed as Bedrock writes it). */
  write(text: string): void;
  /** Progress and warnings, for stderr. */
  note(text: string): void;
  /** Ends `--follow` (Ctrl-C). */
  signal: AbortSignal;
  /** stdout is a terminal: explanations stream. */
  interactive?: boolean;
}

/** One line of `deliv logs --json`: an AWS-shaped history event with its execution, or an explanation of a failed one. */
export type LogsJsonLine = (HistoryEvent & { executionArn?: string }) | ExplanationLine;

export interface ExplanationLine {
  type: 'Explanation';
  executionArn: string;
  source: ExplainResult['source'];
  model?: string;
  text: string;
  usage?: ExplainResult['usage'];
  costUsd?: number;
}

/** What was shown: the executions whose events were printed, on which target. */
export interface LogsSummary {
  target: string;
  executions: number;
  explained: number;
}

/** An execution's end other than success: the ones --explain explains. */
const failedEnd = (type: string | undefined): boolean => type !== 'ExecutionSucceeded' && (type ?? '') in EXECUTION_END_EVENTS;

export async function showLogs(request: LogsRequest, out: LogsOutput): Promise<LogsSummary> {
  const since = request.since ? parseSince(request.since) : undefined;
  const connection = await connect(request.project, request, out.note);
  const summary: LogsSummary = { target: connection.target.name, executions: 0, explained: 0 };
  const explainer = failureExplainer(request, out, connection, summary);
  const format: FormatOptions = { data: request.data, utc: request.utc, columns: request.columns };
  try {
    if (request.subject && isExecutionArn(request.subject)) {
      const executionArn = request.subject;
      summary.executions = 1;
      const events = await followExecution(
        connection.sfn,
        executionArn,
        (fresh, all) => {
          if (request.json) for (const event of fresh) out.line(eventJson(event, executionArn));
          else for (const line of formatHistory(all, { ...format, from: all.length - fresh.length, executionArn })) out.line(line);
        },
        { signal: request.follow ? out.signal : AbortSignal.abort() },
      );
      explainer.after(executionArn, events);
      await explainer.done();
      return summary;
    }

    const machines = await machinesToShow(connection.sfn, request);
    for (const note of await loggingNotes(connection.sfn, machines)) out.note(note);
    await tailMachines(
      connection.sfn,
      machines,
      (execution, fresh, all) => {
        summary.executions++;
        if (request.json) for (const event of fresh) out.line(eventJson(event, execution.executionArn));
        else for (const line of executionLines(execution, fresh, all, request, format)) out.line(line);
        explainer.after(execution.executionArn, fresh);
      },
      { statusFilter: request.status, limit: request.limit, since, follow: Boolean(request.follow), signal: out.signal },
    );
    await explainer.done();
    if (summary.executions === 0 && !request.follow && !request.json) out.note('No executions found (deliv start <machine> starts one).');
    return summary;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ExecutionDoesNotExist' || name === 'InvalidArn') {
      throw new UsageError(`no execution ${request.subject} on target ${connection.target.name}`, {
        hint: 'check the ARN and --target; `deliv logs <machine>` lists the recent executions',
        code: 'EXECUTION_NOT_FOUND',
      });
    }
    throw error;
  }
}

/** The machine named, or the machines of deliv.yaml that are deployed on the target. */
async function machinesToShow(sfn: SFNClient, request: LogsRequest): Promise<string[]> {
  if (request.subject) return [await findStateMachineArn(sfn, request.subject, declaredBy(request.project))];
  const names = Object.keys(request.project?.config.stateMachines ?? {});
  if (names.length === 0) throw new UsageError('name an execution ARN or a state machine', { hint: 'deliv logs <machine> [--follow]' });
  const deployed = await listStateMachines(sfn);
  const machines = deployed.filter((machine) => names.includes(machine.name ?? '')).map((machine) => machine.stateMachineArn!);
  if (machines.length === 0) {
    throw new UsageError(`none of ${names.join(', ')} is deployed on this target`, { hint: 'run `deliv deploy` first', code: 'STATE_MACHINE_NOT_DEPLOYED' });
  }
  return machines;
}

/** The lines of one execution's new events: a header the first time, then its history (labelled by execution when following several). */
export function executionLines(
  execution: ExecutionListItem,
  fresh: readonly HistoryEvent[],
  all: readonly HistoryEvent[],
  request: Pick<LogsRequest, 'follow' | 'data'>,
  format: FormatOptions,
): string[] {
  const lines: string[] = [];
  const label = request.follow ? shortName(execution.name ?? '') : undefined;
  if (fresh.length === all.length) {
    const machine = execution.stateMachineArn?.split(':')[6] ?? '';
    const header = `${paint.strong(`▸ ${execution.name}`)}  ${machine}  ${paintStatus(execution.status ?? '')}  ${paint.muted(execution.executionArn ?? '')}`;
    lines.push(format.columns === undefined || request.data ? header : fitVisible(header, format.columns));
  }
  lines.push(...formatHistory(all, { ...format, from: all.length - fresh.length, executionArn: execution.executionArn, label }));
  if (!request.follow) lines.push('');
  return lines;
}

/**
 * With --explain, every failed execution shown is explained, one after
 * another and after the history lines that show the failure.
 */
function failureExplainer(request: LogsRequest, out: LogsOutput, connection: Connection, summary: LogsSummary) {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    after(executionArn: string | undefined, fresh: readonly { type?: string }[]): void {
      if (!request.explain || !executionArn || !fresh.some((event) => failedEnd(event.type))) return;
      queue = queue.then(async () => {
        const result = await explainShownFailure(executionArn, { ...connection, project: request.project, json: request.json, out });
        if (!result) return;
        summary.explained++;
        if (request.json) out.line(JSON.stringify(explanationLine(executionArn, result)));
      });
    },
    done: () => queue,
  };
}

export function explanationLine(executionArn: string, result: ExplainResult): ExplanationLine {
  return { type: 'Explanation', executionArn, source: result.source, model: result.model, text: result.text, usage: result.usage, costUsd: result.costUsd };
}

/**
 * Explains an execution a command has just shown failing (`logs --explain`,
 * `start --wait --explain`); a failure to explain is a note, not the command's error.
 */
export async function explainShownFailure(
  executionArn: string,
  options: Pick<Connection, 'sfn' | 'target'> & { project?: Project; json?: boolean; out: Pick<LogsOutput, 'write' | 'note' | 'interactive'>; context?: import('../explain/context.js').FailureContext },
): Promise<ExplainResult | undefined> {
  const { explainAfterFailure } = await import('../explain/render.js');
  return explainAfterFailure({
    executionArn,
    context: options.context,
    sfn: options.sfn,
    target: options.target,
    project: options.project,
    json: options.json,
    interactive: Boolean(options.out.interactive),
    write: options.out.write,
    onNote: (text) => options.out.note(paint.warning(text)),
  });
}

/** Execution names are UUIDs unless given: their first block is enough to tell them apart on screen. */
function shortName(name: string): string {
  return name.length <= 20 ? name : `${name.slice(0, 8)}…`;
}
