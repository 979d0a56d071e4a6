/**
 * What one execution writes to CloudWatch Logs, in bytes: the log events
 * Step Functions sends for its history events (the one format of
 * src/aws/execution-logs.ts, with the level's filter and without the
 * execution data when `includeExecutionData` is off), measured from recent
 * histories or estimated from the walk's expected events.
 *
 * Ingestion is billed on the uncompressed events; storage on the archived,
 * compressed data (the CloudWatch pricing page: "per GB compressed"), which is
 * taken as one execution's events gzip-compressed (level 6). Measured events
 * are compressed as they are; estimated ones are built alike (one payload for
 * every state), so they compress better than real ones (the parcel-routing
 * template: 1,072 estimated against 1,656 measured bytes of 20,925).
 */
import { gzipSync } from 'node:zlib';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isLoggedAt, toExecutionLogEvent } from '../../aws/execution-logs.js';
import type { WorkflowType } from '../../asl/types.js';

/** CloudWatch Logs counts every event as its message's UTF-8 bytes plus 26 bytes (the PutLogEvents event size). */
export const LOG_EVENT_OVERHEAD_BYTES = 26;
/** The GB of AWS bills: 2^30 bytes. */
export const BYTES_PER_GB = 2 ** 30;
/** A payload Step Functions logs is cut at 248 KB ("CloudWatch Logs payloads", Step Functions guide). */
const PAYLOAD_LOG_LIMIT = 248 * 1024;
/** Hours in the month GB-months are counted over (AWS: 730). */
const DAYS_PER_MONTH = 730 / 24;

export interface LogSettings {
  level: 'ALL' | 'ERROR' | 'FATAL';
  includeExecutionData: boolean;
  /** The log group's retention; undefined: never expire. */
  retentionInDays?: number;
}

export interface LogVolume {
  /** Bytes ingested per execution (messages + per-event overhead). */
  bytes: number;
  /** The same events gzip-compressed, as they are stored. */
  storedBytes: number;
  /** Log events per execution. */
  events: number;
  source: 'measured' | 'estimated';
}

interface Sized {
  bytes: number;
  stored: number;
  events: number;
}

function sizeOf(messages: readonly string[]): Sized {
  if (messages.length === 0) return { bytes: 0, stored: 0, events: 0 };
  const bytes = messages.reduce((total, message) => total + Buffer.byteLength(message) + LOG_EVENT_OVERHEAD_BYTES, 0);
  const stored = gzipSync(messages.join('\n'), { level: 6 }).length;
  return { bytes, stored, events: messages.length };
}

function logMessages(events: readonly HistoryEvent[], executionArn: string, settings: LogSettings): string[] {
  return events
    .filter((event) => isLoggedAt(settings.level, String(event.type)))
    .map((event) => JSON.stringify(toExecutionLogEvent(event, { executionArn, includeExecutionData: settings.includeExecutionData })));
}

/** Average bytes per execution of measured histories, as the machine's logging would write them. */
export function measuredLogVolume(histories: ReadonlyArray<{ executionArn: string; events: readonly HistoryEvent[] }>, settings: LogSettings): LogVolume | undefined {
  if (histories.length === 0) return undefined;
  const sized = histories.map((history) => sizeOf(logMessages(history.events, history.executionArn, settings)));
  const mean = (pick: (size: Sized) => number) => sized.reduce((total, size) => total + pick(size), 0) / sized.length;
  return { bytes: mean((size) => size.bytes), storedBytes: mean((size) => size.stored), events: mean((size) => size.events), source: 'measured' };
}

export interface EstimateLogInput {
  /** Expected events per execution by type (MachineModel.events). */
  events: Record<string, number>;
  machine: string;
  type: WorkflowType;
  region: string;
  /** The JSON text every state's input and output is taken to be. */
  payload: string;
  /** A state name of the definition's mean length. */
  stateName: string;
}

/** The details Step Functions gives each kind of event, with `payload` as every input, output and set of parameters. */
function syntheticEvent(type: string, id: number, input: EstimateLogInput): HistoryEvent {
  const data = input.payload.length > PAYLOAD_LOG_LIMIT ? input.payload.slice(0, PAYLOAD_LOG_LIMIT) : input.payload;
  const truncated = { truncated: data.length < input.payload.length };
  const task = { resourceType: 'lambda', resource: 'invoke' };
  const failure = { error: 'States.TaskFailed', cause: 'x'.repeat(100) };
  let details: Record<string, unknown> | undefined;
  let key: string | undefined;
  if (type.endsWith('StateEntered')) [key, details] = ['stateEnteredEventDetails', { name: input.stateName, input: data, inputDetails: truncated }];
  else if (type.endsWith('StateExited')) [key, details] = ['stateExitedEventDetails', { name: input.stateName, output: data, outputDetails: truncated }];
  else if (type === 'ExecutionStarted') [key, details] = ['executionStartedEventDetails', { input: data, inputDetails: truncated, roleArn: `arn:aws:iam::123456789012:role/${input.machine}-role` }];
  else if (type === 'ExecutionSucceeded') [key, details] = ['executionSucceededEventDetails', { output: data, outputDetails: truncated }];
  else if (type === 'ExecutionFailed') [key, details] = ['executionFailedEventDetails', failure];
  else if (type === 'TaskScheduled') [key, details] = ['taskScheduledEventDetails', { ...task, region: input.region, parameters: data, parametersDetails: truncated }];
  else if (type === 'TaskStarted') [key, details] = ['taskStartedEventDetails', task];
  else if (type === 'TaskSucceeded') [key, details] = ['taskSucceededEventDetails', { ...task, output: data, outputDetails: truncated }];
  else if (type === 'TaskFailed') [key, details] = ['taskFailedEventDetails', { ...task, ...failure }];
  else if (type === 'MapStateStarted') [key, details] = ['mapStateStartedEventDetails', { length: 1 }];
  else if (type.startsWith('MapIteration')) [key, details] = [`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`, { name: input.stateName, index: 0 }];
  else if (type.startsWith('MapRun')) [key, details] = [`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`, { mapRunArn: `arn:aws:states:${input.region}:123456789012:mapRun:${input.machine}/${input.stateName}:00000000-0000-0000-0000-000000000000` }];
  else if (type.endsWith('Failed')) [key, details] = [`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`, failure];
  // Ids and times move on from event to event, as they do in a log stream (they weigh on the compression).
  return { id, previousEventId: id - 1, timestamp: new Date(1_767_225_600_000 + id * 37), type, ...(key ? { [key]: details } : {}) } as unknown as HistoryEvent;
}

/**
 * Bytes per execution from the expected events: each kind of event built
 * once with the payload and priced by its expected count; the compression
 * ratio is that of one execution made of those events (each at least once).
 */
export function estimatedLogVolume(input: EstimateLogInput, settings: LogSettings): LogVolume {
  const uuid = '00000000-0000-0000-0000-000000000000';
  const executionArn = input.type === 'EXPRESS' ? `arn:aws:states:${input.region}:123456789012:express:${input.machine}:${uuid}:${uuid}` : `arn:aws:states:${input.region}:123456789012:execution:${input.machine}:${uuid}`;
  let bytes = 0;
  let events = 0;
  const sample: string[] = [];
  let id = 1;
  const message = (type: string, name: string) => logMessages([syntheticEvent(type, id++, { ...input, stateName: name })], executionArn, { ...settings, level: 'ALL' })[0];
  for (const [type, count] of Object.entries(input.events)) {
    if (count <= 0 || !isLoggedAt(settings.level, type)) continue;
    bytes += count * (Buffer.byteLength(message(type, input.stateName)) + LOG_EVENT_OVERHEAD_BYTES);
    events += count;
    // Each copy in the compressed sample under a state name of its own, as the states of a definition differ.
    for (let copy = 0; copy < Math.max(1, Math.round(count)); copy++) sample.push(message(type, `${input.stateName.slice(0, -3)}${String(copy % 1000).padStart(3, '0')}`.slice(-Math.max(input.stateName.length, 3))));
  }
  const sized = sizeOf(sample);
  const ratio = sized.bytes > 0 ? sized.stored / sized.bytes : 0;
  return { bytes, storedBytes: bytes * ratio, events, source: 'estimated' };
}

/**
 * GB-months stored in a month: with a retention of R days the group holds R
 * days of events once it is full (R / 30.42 months of them); a group that
 * never expires holds half the month's events on average in its first month,
 * and a month's more every month after.
 */
export function storedMonths(retentionInDays: number | undefined): number {
  return retentionInDays === undefined ? 0.5 : retentionInDays / DAYS_PER_MONTH;
}

/** The payload text the estimate uses: payloadKB of the usage file, else the sample event of median size, else 1 KB. */
export function payloadText(payloadKB: number | undefined, samples: readonly unknown[]): { text: string; source: string } {
  if (payloadKB !== undefined) return { text: syntheticPayload(Math.round(payloadKB * 1024)), source: `${payloadKB} KB (payloadKB)` };
  const texts = samples.map((sample) => JSON.stringify(sample)).sort((a, b) => a.length - b.length);
  if (texts.length > 0) {
    const text = texts[Math.floor((texts.length - 1) / 2)];
    return { text, source: `${Buffer.byteLength(text).toLocaleString('en-US')} bytes (the median of ${texts.length} sample event(s))` };
  }
  return { text: syntheticPayload(1024), source: '1 KB (assumed; set payloadKB in the usage file)' };
}

/** JSON of `size` bytes that compresses like data, not like one repeated letter (a fixed pseudo-random hex string). */
function syntheticPayload(size: number): string {
  let state = 0x2545f491;
  let hex = '';
  const length = Math.max(0, size - '{"data":""}'.length);
  while (hex.length < length) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    hex += (state >>> 0).toString(16).padStart(8, '0');
  }
  return JSON.stringify({ data: hex.slice(0, length) });
}
