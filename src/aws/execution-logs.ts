/**
 * Step Functions' CloudWatch Logs format, both ways, in one place: the log
 * event Step Functions writes for each history event (Express workflows have
 * no GetExecutionHistory, so this is their only history), which events each
 * log level keeps, how log streams and deliv's log groups are named, and the
 * conversion of a logged event back into the GetExecutionHistory shape, so
 * logs, explain, graph and cost read Express runs with the Standard code.
 *
 * A logged event, as AWS writes it (every value a string but `details`):
 *   {"id":"2","type":"TaskStateEntered","details":{"input":"{}","inputDetails":{"truncated":false},"name":"Route"},
 *    "previous_event_id":"1","event_timestamp":"1713959670680",
 *    "execution_arn":"arn:aws:states:eu-central-1:123456789012:express:M:run-1:4135929f-…","redrive_count":"0"}
 * in a stream named `states/<machine>/<yyyy-MM-dd-HH-mm>/<8 hex digits>`.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export type LogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';

export interface ExecutionLogEvent {
  id: string;
  type: string;
  details?: Record<string, unknown>;
  previous_event_id: string;
  event_timestamp: string;
  execution_arn: string;
  redrive_count: string;
}

/** FATAL keeps the execution's own failures (AWS: "Log levels" in the Step Functions developer guide). */
const FATAL_TYPES = new Set(['ExecutionAborted', 'ExecutionFailed', 'ExecutionTimedOut']);

/** ERROR keeps every failure and abort, of states, tasks, Lambda functions, Maps and Parallels. */
const ERROR_TYPES = new Set([
  ...FATAL_TYPES,
  'FailStateEntered',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
  'MapStateAborted',
  'MapStateFailed',
  'MapIterationAborted',
  'MapIterationFailed',
  'MapRunAborted',
  'MapRunFailed',
  'ParallelStateAborted',
  'ParallelStateFailed',
  'TaskFailed',
  'TaskStartFailed',
  'TaskStateAborted',
  'TaskSubmitFailed',
  'TaskTimedOut',
  'WaitStateAborted',
]);

export function isLoggedAt(level: string | undefined, type: string): boolean {
  if (level === 'ALL') return true;
  if (level === 'ERROR') return ERROR_TYPES.has(type);
  if (level === 'FATAL') return FATAL_TYPES.has(type);
  return false;
}

/** Whether a level records every event of an execution (what reading whole histories needs). */
export const logsWholeHistory = (level: string | undefined): boolean => level === 'ALL';

/** Details members that carry execution data: `includeExecutionData: false` leaves them out. */
const DATA_KEYS = new Set(['input', 'output', 'parameters', 'result']);

export function withoutExecutionData(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !DATA_KEYS.has(key)));
}

/** The history event's details member: `stateEnteredEventDetails` for every `…StateEntered`, else `<type>EventDetails`. */
export function detailsKey(type: string): string {
  const state = /State(Entered|Exited)$/.exec(type);
  if (state) return `state${state[1]}EventDetails`;
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

const epochMs = (timestamp: unknown): number => (timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'string' ? Date.parse(timestamp) : Number(timestamp));

/** The log event Step Functions writes for one history event. */
export function toExecutionLogEvent(event: HistoryEvent, execution: { executionArn: string; redriveCount?: number; includeExecutionData: boolean }): ExecutionLogEvent {
  const entry = Object.entries(event).find(([key, value]) => key.endsWith('EventDetails') && value && typeof value === 'object');
  const details = entry ? (execution.includeExecutionData ? (entry[1] as Record<string, unknown>) : withoutExecutionData(entry[1] as Record<string, unknown>)) : undefined;
  return {
    id: String(event.id),
    type: String(event.type),
    ...(details ? { details } : {}),
    previous_event_id: String(event.previousEventId ?? 0),
    event_timestamp: String(epochMs(event.timestamp)),
    execution_arn: execution.executionArn,
    redrive_count: String(execution.redriveCount ?? 0),
  };
}

/** A log message that is not a Step Functions execution event (another writer shares the group) reads as undefined. */
export function parseExecutionLogEvent(message: string): ExecutionLogEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const event = parsed as Partial<ExecutionLogEvent>;
  if (typeof event.type !== 'string' || event.id === undefined || typeof event.execution_arn !== 'string') return undefined;
  return event as ExecutionLogEvent;
}

/** The GetExecutionHistory event a logged event stands for (the one conversion; every reader goes through it). */
export function toHistoryEvent(logged: ExecutionLogEvent): HistoryEvent {
  const event: Record<string, unknown> = {
    timestamp: new Date(Number(logged.event_timestamp)),
    type: logged.type,
    id: Number(logged.id),
    previousEventId: Number(logged.previous_event_id ?? 0),
  };
  if (logged.details && Object.keys(logged.details).length > 0) event[detailsKey(logged.type)] = logged.details;
  return event as unknown as HistoryEvent;
}

/** `states/<machine>/<yyyy-MM-dd-HH-mm>/<8 hex digits>`, as Step Functions names its streams (UTC minute). */
export function executionLogStreamName(machineName: string, at: Date, shard = '00000000'): string {
  const iso = at.toISOString();
  return `states/${machineName}/${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}/${shard}`;
}

/** The log group deliv gives a machine, where the Step Functions console puts it too. */
export const defaultLogGroupName = (machineName: string): string => `/aws/vendedlogs/states/${machineName}-Logs`;

/** `arn:aws:logs:<region>:<account>:log-group:<name>:*`, the form Step Functions' loggingConfiguration takes. */
export const logGroupArn = (partition: { region: string; account: string }, name: string): string => `arn:aws:logs:${partition.region}:${partition.account}:log-group:${name}:*`;

export function logGroupNameFromArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(arn);
  return match?.[1];
}

/** The filter pattern that selects one execution's events (what the Step Functions console links to). */
export const executionFilterPattern = (executionArn: string): string => `{ $.execution_arn = "${executionArn}" }`;

/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy's
 * `retentionInDays`); any other number is refused with InvalidParameterException.
 */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
