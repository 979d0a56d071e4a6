/**
 * The one history formatter: execution histories (AWS `GetExecutionHistory`
 * events, from the emulator or from AWS, they are the same shape) as lines a
 * person reads. `logs`, `start --wait`, `explain` and `graph` all use it.
 *
 * Everything here is a pure function of the events: streaming callers keep
 * the events they have and ask for the lines of the new ones with `from`, so
 * a state's duration and name are found however the events arrived.
 */
import { detailsOf, errorOf, eventTime, EXECUTION_END_EVENTS, indexHistory, type HistoryStatus } from '../asl/history.js';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { paint } from '../ui/colors.js';
import { formatDuration } from '../ui/duration.js';
import { fitVisible, padVisible, visibleWidth, wrapWords } from '../ui/width.js';

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
  status: HistoryStatus;
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
  /** Format only events from this index on (the earlier ones still give names, durations and column widths). */
  from?: number;
  /** The machine's state names: a history still running keeps its state column wide enough for them. */
  stateNames?: readonly string[];
}

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
      terminal: type in EXECUTION_END_EVENTS,
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

/** How the execution ended so far (RUNNING until a terminal event arrives), read from the history index. */
export function executionOutcome(events: readonly HistoryEvent[]): ExecutionOutcome {
  const index = indexHistory(events);
  if (!index.end) return { status: 'RUNNING' };
  const outcome: ExecutionOutcome = { status: index.status, durationMs: index.durationMs };
  if (index.status === 'SUCCEEDED') {
    const output = index.end.executionSucceededEventDetails?.output;
    if (output !== undefined) outcome.output = output;
    return outcome;
  }
  const recorded = errorOf(index.end);
  if (recorded?.error !== undefined) outcome.error = recorded.error;
  if (recorded?.cause !== undefined) outcome.cause = recorded.cause;
  const visit = index.failure?.visit;
  // As graph --execution: a stop is not a state's failure.
  if (visit && index.status !== 'ABORTED') {
    outcome.failedState = visit.name;
    const last = visit.failures.at(-1);
    const own = last ? errorOf(last) : undefined;
    outcome.error ??= own?.error;
    outcome.cause ??= own?.cause;
  }
  return outcome;
}

function formatTime(date: Date, utc: boolean, withDate: boolean): string {
  const parts = utc
    ? [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getHours(), date.getMinutes(), date.getSeconds()];
  const ms = utc ? date.getUTCMilliseconds() : date.getMilliseconds();
  const clock = `${parts.map((part) => String(part).padStart(2, '0')).join(':')}.${String(ms).padStart(3, '0')}`;
  if (!withDate) return clock;
  const day = utc ? [date.getUTCMonth() + 1, date.getUTCDate()] : [date.getMonth() + 1, date.getDate()];
  return `${day.map((part) => String(part).padStart(2, '0')).join('-')} ${clock}`;
}

const dayOf = (date: Date, utc: boolean): string => (utc ? date.toISOString().slice(0, 10) : date.toDateString());

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

/** A state name longer than this is cut on a terminal (pipes keep it whole). */
const STATE_WIDTH = 22;
/** Fewer characters of JSON than this say nothing: a narrow terminal shows no data rather than `{"o…`. */
const MIN_DATA_WIDTH = 12;
/**
 * What a history still being followed may yet show in the type column: its
 * end, `ExecutionSucceeded` with a duration as long as `formatDuration`
 * writes under ten seconds (`9.999s`).
 */
const STREAMING_TYPE_WIDTH = 'ExecutionSucceeded'.length + 2 + '9.999s'.length;

/**
 * The columns of a history's lines, sized to what the history holds: the
 * longest state name in it, the longest event type with its duration (only
 * `...StateExited` and the execution's end carry one, so the duration sits at
 * the end of the type column instead of a column of its own, mostly empty),
 * and the date only when the history spans more than one day.
 */
interface HistoryLayout {
  state: number;
  /** Event type, then the duration right-aligned to this width. */
  type: number;
  withDate: boolean;
}

/**
 * The layout for `views`. A history still being followed (`streaming`) keeps
 * room for what its later events may bring, the machine's own state names
 * (`stateNames`) and its end, so that the lines already printed and the next
 * ones stay in the same columns.
 */
function historyLayout(views: readonly EventView[], options: { utc?: boolean; streaming?: boolean; stateNames?: readonly string[]; columns?: number } = {}): HistoryLayout {
  const names = views.map((view) => view.state ?? '');
  if (options.streaming) names.push(...(options.stateNames ?? []));
  const longest = Math.max(0, ...names.map(visibleWidth));
  const state = options.columns === undefined ? longest : Math.min(longest, STATE_WIDTH);
  const types = views.map((view) => view.type.length + (view.durationMs === undefined ? 0 : 2 + formatDuration(view.durationMs).length));
  const type = Math.max(options.streaming ? STREAMING_TYPE_WIDTH : 0, ...types);
  const times = views.map((view) => view.timestamp).filter((time) => !Number.isNaN(time.getTime()));
  const utc = options.utc ?? false;
  const withDate = times.length > 0 && dayOf(times[0], utc) !== dayOf(times.at(-1)!, utc);
  return { state, type, withDate };
}

/** One line for one event (without the explain hint), in the columns of `layout` (the event's own unless given). */
function formatEventLine(view: EventView, options: FormatOptions = {}, layout: HistoryLayout = historyLayout([view], options)): string {
  const whole = options.data ?? false;
  // On a terminal the data column gets what the line has left; elsewhere a fixed trim keeps lines greppable.
  const fit = options.columns !== undefined && !whole;
  const time = paint.muted(formatTime(view.timestamp, options.utc ?? false, layout.withDate));
  // Fitted, a long state name is cut to its column so that the columns after it stay in place.
  const state = padVisible(fit ? fitVisible(view.state ?? '', layout.state) : view.state ?? '', layout.state);
  const tone = view.tone === 'failure' ? paint.failure : view.tone === 'success' ? paint.success : view.tone === 'start' ? paint.accent : (text: string) => text;
  const duration = view.durationMs !== undefined ? formatDuration(view.durationMs) : '';
  const type = `${tone(view.type)}${duration.padStart(layout.type - view.type.length)}`;
  const label = options.label ? `${paint.strong(options.label)}  ` : '';
  const head = `${label}${time}  ${state}  ${type}  `;
  const room = fit ? options.columns! - visibleWidth(head) : undefined;
  let detail = '';
  if (view.error !== undefined || view.cause !== undefined) {
    const error = view.error ?? '';
    const cause = view.cause ? compactData(view.cause, room === undefined ? options.dataWidth ?? 160 : room - error.length - 2, whole) : '';
    detail = paint.failure([error, cause].filter(Boolean).join(': '));
  } else if (view.data !== undefined) {
    const kind = view.dataKind ?? '';
    const width = room === undefined ? options.dataWidth ?? 80 : room - kind.length - 1;
    if (width >= MIN_DATA_WIDTH) detail = paint.muted(`${kind} ${compactData(view.data, width, whole)}`);
    // The event type already says which it is (a state enters with its input, exits with its output):
    // where the label would leave too little room, the data goes without it.
    else if (room !== undefined && room >= MIN_DATA_WIDTH) detail = paint.muted(compactData(view.data, room, whole));
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
  const all = describeEvents(events);
  const from = options.from ?? 0;
  // Shown in one go, a finished history is sized to itself; followed, it keeps room for what is to come.
  const streaming = from > 0 || !all.some((view) => view.terminal);
  const layout = historyLayout(all, { ...options, streaming });
  const lines: string[] = [];
  for (const view of all.slice(from)) {
    lines.push(formatEventLine(view, options, layout));
    if (view.terminal && view.tone === 'failure' && options.executionArn) {
      // Fitted, the hint wraps before the ARN rather than have the terminal cut it where it would.
      const hint = wrapWords(`${options.label ? `${options.label}  ` : ''}hint: deliv explain ${options.executionArn}`, options.data ? undefined : options.columns);
      lines.push(...hint.map((line) => paint.muted(line)));
    }
  }
  return lines;
}

/** One AWS-shaped event as a JSON line (`logs --json`), with the execution it belongs to. */
export function eventJson(event: HistoryEvent, executionArn?: string): string {
  return JSON.stringify(executionArn ? { executionArn, ...event } : event);
}
