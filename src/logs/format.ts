/**
 * The one history formatter: execution histories (AWS `GetExecutionHistory`
 * events, from the emulator or from AWS, they are the same shape) as lines a
 * person reads. `logs`, `start --wait`, `explain` and `graph` all use it.
 *
 * Everything here is a pure function of the events: streaming callers keep
 * the events they have and ask for the lines of the new ones with `from`, so
 * a state's duration and name are found however the events arrived.
 */
import { detailsOf, eventTime, indexHistory } from '../asl/history.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { paint } from '../ui/colors.js';
import { formatDuration } from '../ui/duration.js';
import { fitVisible, padVisible, visibleWidth } from '../ui/width.js';

export { formatDuration };

export type EventTone = 'failure' | 'success' | 'start' | 'info';

/** One event, with what a reader wants from it already worked out. */
export interface EventView {
  id: number;
  timestamp: Date;
  type: string;
  /** The state the event belongs to (`Charge`, `ShipItems[3]` for a Map iteration); none for execution events. */
  state?: string;
  /** How long the state (on its `...StateExited`) or the execution (on its end) took. */
  durationMs?: number;
  /** Input, output or task parameters as JSON text, as AWS sent them. */
  data?: string;
  dataKind?: 'input' | 'output' | 'parameters';
  error?: string;
  cause?: string;
  tone: EventTone;
  /** The execution ends with this event. */
  terminal: boolean;
}

export interface ExecutionOutcome {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  durationMs?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** The state whose failure ended the execution. */
  failedState?: string;
}

export interface FormatOptions {
  /** Whole input/output instead of trimmed (`--data`). */
  data?: boolean;
  /** Trim data to this many characters (default 80; with `columns`, what the line has room for). */
  dataWidth?: number;
  /** Fit every line to this many terminal columns, as `graph` fits its drawing (unless `data`). */
  columns?: number;
  /** For the `deliv explain <arn>` hint after a failed execution. */
  executionArn?: string;
  /** Put before every line, e.g. the execution name when several are followed together. */
  label?: string;
  /** Times in UTC instead of the local zone. */
  utc?: boolean;
  /** Format only events from this index on (the earlier ones still give names and durations). */
  from?: number;
}

const TERMINAL_STATUS: Record<string, ExecutionOutcome['status']> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

function isFailure(type: string): boolean {
  return /(Failed|TimedOut|Aborted)$/.test(type) || type === 'EvaluationFailed';
}

function toneOf(type: string): EventTone {
  if (isFailure(type)) return 'failure';
  if (type === 'ExecutionSucceeded' || /Succeeded$/.test(type)) return 'success';
  if (type.endsWith('StateEntered') || type === 'ExecutionStarted') return 'start';
  return 'info';
}

/** An event's time (an Invalid Date when the history has none usable). */
const timeOf = (event: HistoryEvent): Date => new Date(eventTime(event) ?? Number.NaN);

/** The structure behind the lines: states, durations, data and failures of every event. */
export function describeEvents(events: readonly HistoryEvent[]): EventView[] {
  const index = indexHistory(events);
  const startedAt = index.started;

  /** The state an event belongs to (src/asl/history.ts); a Map iteration's events are named by their index. */
  const stateOf = (event: HistoryEvent): string | undefined => {
    const type = event.type ?? '';
    if (type.startsWith('MapIteration')) {
      const details = detailsOf(event);
      return details ? `${details.name}[${details.index}]` : undefined;
    }
    if (type.startsWith('Execution')) return undefined;
    return index.visitOf(event)?.name;
  };

  return events.map((event) => {
    const type = event.type ?? 'Unknown';
    const details = detailsOf(event) ?? {};
    const timestamp = timeOf(event);
    const view: EventView = {
      id: event.id ?? 0,
      timestamp,
      type,
      state: type.startsWith('Execution') ? undefined : stateOf(event),
      tone: toneOf(type),
      terminal: type in TERMINAL_STATUS,
    };
    if (type.endsWith('StateExited') && view.state) {
      const visit = index.visitOf(event);
      if (visit) view.durationMs = timestamp.getTime() - timeOf(visit.entered).getTime();
    }
    if (view.terminal && startedAt) view.durationMs = timestamp.getTime() - timeOf(startedAt).getTime();
    if (typeof details.error === 'string') view.error = details.error;
    if (typeof details.cause === 'string') view.cause = details.cause;
    if (typeof details.input === 'string') {
      view.data = details.input;
      view.dataKind = 'input';
    } else if (typeof details.output === 'string') {
      view.data = details.output;
      view.dataKind = 'output';
    } else if (typeof details.parameters === 'string') {
      view.data = details.parameters;
      view.dataKind = 'parameters';
    }
    return view;
  });
}

/** How the execution ended so far (RUNNING until a terminal event arrives). */
export function executionOutcome(events: readonly HistoryEvent[]): ExecutionOutcome {
  const views = describeEvents(events);
  const end = views.find((view) => view.terminal);
  if (!end) return { status: 'RUNNING' };
  const outcome: ExecutionOutcome = { status: TERMINAL_STATUS[end.type], durationMs: end.durationMs };
  if (end.type === 'ExecutionSucceeded') outcome.output = end.data;
  if (end.error !== undefined) outcome.error = end.error;
  if (end.cause !== undefined) outcome.cause = end.cause;
  if (outcome.status !== 'SUCCEEDED') {
    const failedAt = [...views].reverse().find((view) => view.tone === 'failure' && !view.type.startsWith('Execution') && view.state);
    outcome.failedState = failedAt?.state;
    outcome.error ??= failedAt?.error;
    outcome.cause ??= failedAt?.cause;
  }
  return outcome;
}

function formatTime(date: Date, utc: boolean): string {
  const parts = utc
    ? [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getHours(), date.getMinutes(), date.getSeconds()];
  const ms = utc ? date.getUTCMilliseconds() : date.getMilliseconds();
  return `${parts.map((part) => String(part).padStart(2, '0')).join(':')}.${String(ms).padStart(3, '0')}`;
}

/** JSON on one line; trimmed to `width` characters with an ellipsis unless `whole`. */
export function compactData(text: string, width: number, whole: boolean): string {
  let compact = text;
  try {
    compact = JSON.stringify(JSON.parse(text));
  } catch {
    compact = text.replace(/\s+/g, ' ');
  }
  if (whole || compact.length <= width) return compact;
  return width <= 0 ? '' : `${compact.slice(0, Math.max(0, width - 1))}…`;
}

const STATE_WIDTH = 22;
const MIN_DATA_WIDTH = 12;
const TYPE_WIDTH = 24;

/** One line for one event (without the explain hint). */
export function formatEventLine(view: EventView, options: FormatOptions = {}): string {
  const whole = options.data ?? false;
  // On a terminal the data column gets what the line has left; elsewhere a fixed trim keeps lines greppable.
  const fit = options.columns !== undefined && !whole;
  const time = paint.muted(formatTime(view.timestamp, options.utc ?? false));
  // Fitted, a long state name is cut to its column so that the columns after it stay in place.
  const state = padVisible(fit ? fitVisible(view.state ?? '', STATE_WIDTH) : view.state ?? '', STATE_WIDTH);
  const typeText = view.type.padEnd(TYPE_WIDTH);
  const type = view.tone === 'failure' ? paint.failure(typeText) : view.tone === 'success' ? paint.success(typeText) : view.tone === 'start' ? paint.accent(typeText) : typeText;
  const duration = (view.durationMs !== undefined ? formatDuration(view.durationMs) : '').padStart(7);
  const label = options.label ? `${paint.strong(options.label)}  ` : '';
  const head = `${label}${time}  ${state}  ${type}  ${duration}  `;
  const room = fit ? options.columns! - visibleWidth(head) : undefined;
  let detail = '';
  if (view.error !== undefined || view.cause !== undefined) {
    const error = view.error ?? '';
    const cause = view.cause ? compactData(view.cause, room === undefined ? options.dataWidth ?? 160 : room - error.length - 2, whole) : '';
    detail = paint.failure([error, cause].filter(Boolean).join(': '));
  } else if (view.data !== undefined) {
    const kind = view.dataKind ?? '';
    const width = room === undefined ? options.dataWidth ?? 80 : room - kind.length - 1;
    // A few characters of JSON say nothing: a narrow terminal gets no data column rather than `input {"o…`.
    if (width >= MIN_DATA_WIDTH) detail = paint.muted(`${kind} ${compactData(view.data, width, whole)}`);
  }
  const line = `${head}${detail}`.trimEnd();
  // A state name longer than its column, or a terminal narrower than the fixed columns: cut the line itself.
  return fit ? fitVisible(line, options.columns!) : line;
}

/**
 * The lines of a history (from `options.from` on): one per event, and after
 * a failed, timed-out or aborted end a hint to run `deliv explain`.
 */
export function formatHistory(events: readonly HistoryEvent[], options: FormatOptions = {}): string[] {
  const views = describeEvents(events).slice(options.from ?? 0);
  const lines: string[] = [];
  for (const view of views) {
    lines.push(formatEventLine(view, options));
    if (view.terminal && view.tone === 'failure' && options.executionArn) {
      lines.push(paint.muted(`${options.label ? `${options.label}  ` : ''}hint: deliv explain ${options.executionArn}`));
    }
  }
  return lines;
}

/** One AWS-shaped event as a JSON line (`logs --json`), with the execution it belongs to. */
export function eventJson(event: HistoryEvent, executionArn?: string): string {
  return JSON.stringify(executionArn ? { executionArn, ...event } : event);
}
