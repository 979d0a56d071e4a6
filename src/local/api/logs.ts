/**
 * The CloudWatch Logs API subset (AWS JSON 1.1, `X-Amz-Target:
 * Logs_20140328.<Action>`) on the emulator's port: log groups, streams,
 * PutLogEvents, GetLogEvents and FilterLogEvents with filter patterns, time
 * ranges and nextToken paging, so @aws-sdk/client-cloudwatch-logs (via
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) and `aws logs ... --endpoint-url` read
 * the execution events Step Functions machines log here.
 *
 * StartLiveTail is not served (it needs an event stream over HTTP/2); the
 * polling equivalent is FilterLogEvents with `startTime` = the last event's
 * timestamp, dropping eventIds already seen, which is what `aws logs tail
 * --follow` and `deliv logs --follow` do.
 */
import { LOG_RETENTION_DAYS, logGroupNameFromArn } from '../../aws/execution-logs.js';
import { ApiError } from '../api-error.js';
import type { EmulatorContext } from '../context.js';
import { compileFilterPattern } from '../log-filter.js';
import type { EventKey, LogEventRow, LogStreamRow } from '../log-store.js';
import type { Handler, Input } from './common.js';

const invalidParameter = (message: string) => new ApiError('InvalidParameterException', message);
const groupNotFound = () => new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
const streamNotFound = () => new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');

/** A response carries at most 1 MB of events, as CloudWatch Logs' own. */
const MAX_RESPONSE_BYTES = 1_048_576;
/** FilterLogEvents looks at this many events per call at most, then hands back a nextToken (possibly with no events). */
const SCAN_BUDGET = 50_000;

function text(input: Input, field: string, required = false): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    if (required) throw invalidParameter(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ApiError('SerializationException', `Unexpected value type for ${field}: expected a string`);
  return value;
}

function integer(input: Input, field: string, range: [number, number]): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ApiError('SerializationException', `Unexpected value type for ${field}: expected an integer`);
  if (value < range[0] || value > range[1]) {
    throw invalidParameter(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value between ${range[0]} and ${range[1]}`);
  }
  return value;
}

const logGroupNamePattern = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** `logGroupName`, or `logGroupIdentifier` (a name or an ARN); the group must exist. */
function groupName(context: EmulatorContext, input: Input): string {
  const name = text(input, 'logGroupName');
  const identifier = text(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  const resolved = name ?? (identifier?.startsWith('arn:') ? logGroupNameFromArn(identifier) : identifier);
  if (resolved === undefined) throw invalidParameter('Should provide either name or ARN of the log group.');
  if (!context.logs.hasGroup(resolved)) throw groupNotFound();
  // Retention is enforced as the group is read: what is past it is gone.
  context.logs.expire(resolved, context.clock.now());
  return resolved;
}

const groupArn = (context: EmulatorContext, name: string) => `arn:aws:logs:${context.partition.region}:${context.partition.account}:log-group:${name}`;

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string, check: (value: unknown) => value is T): T {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (check(value)) return value;
  } catch {
    // an unreadable token falls through to AWS's error
  }
  throw invalidParameter('The specified nextToken is invalid.');
}

const isKey = (value: unknown): value is EventKey =>
  !!value && typeof value === 'object' && Number.isInteger((value as EventKey).timestamp) && Number.isInteger((value as EventKey).seq);

const eventId = (seq: number) => String(seq).padStart(56, '0');

/** Stops a page at 1 MB of messages, keeping the events nearest where the read started. */
function capBytes(rows: LogEventRow[], fromEnd: boolean): LogEventRow[] {
  let bytes = 0;
  for (let n = 0; n < rows.length; n++) {
    bytes += Buffer.byteLength(rows[fromEnd ? rows.length - 1 - n : n].message, 'utf8') + 26;
    if (bytes > MAX_RESPONSE_BYTES && n > 0) return fromEnd ? rows.slice(rows.length - n) : rows.slice(0, n);
  }
  return rows;
}

// ---- log groups and streams ------------------------------------------------------------

const createLogGroup: Handler = (context, input) => {
  const name = text(input, 'logGroupName', true)!;
  if (!logGroupNamePattern.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
  }
  const logGroupClass = text(input, 'logGroupClass') ?? 'STANDARD';
  if (!context.logs.createGroup(name, context.clock.now(), logGroupClass)) throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
  return {};
};

const deleteLogGroup: Handler = (context, input) => {
  if (!context.logs.deleteGroup(text(input, 'logGroupName', true)!)) throw groupNotFound();
  return {};
};

const putRetentionPolicy: Handler = (context, input) => {
  const name = groupName(context, input);
  const days = integer(input, 'retentionInDays', [1, 3653]);
  if (days === undefined) throw invalidParameter("1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null");
  if (!LOG_RETENTION_DAYS.includes(days)) {
    throw invalidParameter(`1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${LOG_RETENTION_DAYS.join(', ')}]`);
  }
  context.logs.setRetention(name, days);
  context.logs.expire(name, context.clock.now());
  return {};
};

const deleteRetentionPolicy: Handler = (context, input) => {
  context.logs.setRetention(groupName(context, input), null);
  return {};
};

const describeLogGroups: Handler = (context, input) => {
  const prefix = text(input, 'logGroupNamePrefix');
  const contains = text(input, 'logGroupNamePattern');
  if (prefix !== undefined && contains !== undefined) throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  const limit = integer(input, 'limit', [1, 50]) ?? 50;
  const token = text(input, 'nextToken');
  const after = token ? decodeToken(token, (value): value is { after: string } => typeof (value as { after?: unknown })?.after === 'string').after : undefined;
  const rows = context.logs.listGroups({ prefix, contains, after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const now = context.clock.now();
  for (const row of page) if (context.logs.expire(row.name, now) > 0) row.storedBytes = context.logs.getGroup(row.name)?.storedBytes ?? 0;
  return {
    logGroups: page.map((row) => ({
      logGroupName: row.name,
      creationTime: row.created,
      ...(row.retentionInDays !== null ? { retentionInDays: row.retentionInDays } : {}),
      metricFilterCount: 0,
      arn: `${groupArn(context, row.name)}:*`,
      storedBytes: row.storedBytes,
      logGroupClass: row.logGroupClass,
      logGroupArn: groupArn(context, row.name),
    })),
    ...(rows.length > limit ? { nextToken: encodeToken({ after: page.at(-1)!.name }) } : {}),
  };
};

const createLogStream: Handler = (context, input) => {
  const group = groupName(context, input);
  const name = text(input, 'logStreamName', true)!;
  if (name === '' || name.length > 512 || /[:*]/.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
  }
  if (!context.logs.createStream(group, name, context.clock.now())) throw new ApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
  return {};
};

function streamJson(context: EmulatorContext, row: LogStreamRow): Record<string, unknown> {
  return {
    logStreamName: row.name,
    creationTime: row.created,
    ...(row.firstEvent !== null ? { firstEventTimestamp: row.firstEvent } : {}),
    ...(row.lastEvent !== null ? { lastEventTimestamp: row.lastEvent } : {}),
    ...(row.lastIngestion !== null ? { lastIngestionTime: row.lastIngestion } : {}),
    uploadSequenceToken: eventId(0),
    arn: `${groupArn(context, row.groupName)}:log-stream:${row.name}`,
    storedBytes: row.storedBytes,
  };
}

const describeLogStreams: Handler = (context, input) => {
  const group = groupName(context, input);
  const prefix = text(input, 'logStreamNamePrefix');
  const orderBy = (text(input, 'orderBy') ?? 'LogStreamName') as 'LogStreamName' | 'LastEventTime';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
    throw invalidParameter(`1 validation error detected: Value '${String(orderBy)}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
  }
  if (prefix !== undefined && orderBy === 'LastEventTime') throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const limit = integer(input, 'limit', [1, 50]) ?? 50;
  const token = text(input, 'nextToken');
  const offset = token ? decodeToken(token, (value): value is { o: number } => Number.isInteger((value as { o?: unknown })?.o)).o : 0;
  const rows = context.logs.listStreams(group, { prefix, orderBy, descending: input.descending === true });
  const page = rows.slice(offset, offset + limit);
  return {
    logStreams: page.map((row) => streamJson(context, row)),
    ...(offset + limit < rows.length ? { nextToken: encodeToken({ o: offset + limit }) } : {}),
  };
};

// ---- events ----------------------------------------------------------------------------

const putLogEvents: Handler = (context, input) => {
  const group = groupName(context, input);
  const stream = text(input, 'logStreamName', true)!;
  if (!context.logs.getStream(group, stream)) throw streamNotFound();
  const events = input.logEvents;
  if (!Array.isArray(events) || events.length === 0 || events.length > 10_000) {
    throw invalidParameter("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000");
  }
  const parsed = events.map((event: unknown) => {
    const { timestamp, message } = (event ?? {}) as { timestamp?: unknown; message?: unknown };
    if (!Number.isInteger(timestamp) || typeof message !== 'string' || message === '') throw invalidParameter('Each log event needs an integer timestamp and a non-empty message.');
    return { timestamp: timestamp as number, message };
  });
  for (let i = 1; i < parsed.length; i++) {
    if (parsed[i].timestamp < parsed[i - 1].timestamp) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
  }
  context.logs.putEvents(group, stream, parsed, context.clock.now());
  return { nextSequenceToken: eventId(0) };
};

/** Forward tokens read after a key, backward tokens before one; `f/start` reads from the head. */
function parseEventsToken(token: string): { direction: 'f' | 'b'; key?: EventKey } {
  const match = /^([fb])\/(.+)$/.exec(token);
  if (!match) throw invalidParameter('The specified nextToken is invalid.');
  const direction = match[1] as 'f' | 'b';
  if (match[2] === 'start') return { direction };
  return { direction, key: decodeToken(match[2], isKey) };
}

const forward = (key: EventKey | undefined) => `f/${key ? encodeToken(key) : 'start'}`;
const backward = (key: EventKey | undefined) => `b/${key ? encodeToken(key) : 'start'}`;

const getLogEvents: Handler = (context, input) => {
  const group = groupName(context, input);
  const stream = text(input, 'logStreamName', true)!;
  if (!context.logs.getStream(group, stream)) throw streamNotFound();
  const limit = integer(input, 'limit', [1, 10_000]) ?? 10_000;
  const base = { groupName: group, streamNames: [stream], startTime: integer(input, 'startTime', [0, Number.MAX_SAFE_INTEGER]), endTime: integer(input, 'endTime', [0, Number.MAX_SAFE_INTEGER]) };
  const token = text(input, 'nextToken');
  const position = token ? parseEventsToken(token) : { direction: input.startFromHead === true ? ('f' as const) : ('b' as const), key: undefined };
  const reading = position.direction === 'f' ? { ...base, after: position.key } : { ...base, before: position.key, descending: true };
  const rows = capBytes(context.logs.events(reading, limit), position.direction === 'b');
  const first = rows[0];
  const last = rows.at(-1);
  let nextForwardToken: string;
  let nextBackwardToken: string;
  if (first && last) {
    nextForwardToken = forward({ timestamp: last.timestamp, seq: last.seq });
    nextBackwardToken = backward({ timestamp: first.timestamp, seq: first.seq });
  } else if (position.direction === 'f') {
    // The end of the stream: the same token again, as CloudWatch Logs answers.
    nextForwardToken = token ?? forward(undefined);
    nextBackwardToken = position.key ? backward({ timestamp: position.key.timestamp, seq: position.key.seq + 1 }) : backward(undefined);
  } else {
    nextBackwardToken = token ?? backward(undefined);
    nextForwardToken = position.key ? forward({ timestamp: position.key.timestamp, seq: position.key.seq - 1 }) : forward(undefined);
  }
  return {
    events: rows.map((row) => ({ timestamp: row.timestamp, message: row.message, ingestionTime: row.ingestion })),
    nextForwardToken,
    nextBackwardToken,
  };
};

const filterLogEvents: Handler = (context, input) => {
  const group = groupName(context, input);
  const streamNames = input.logStreamNames;
  const streamPrefix = text(input, 'logStreamNamePrefix');
  if (streamNames !== undefined && streamPrefix !== undefined) throw invalidParameter('Cannot specify both logStreamNames and logStreamNamePrefix.');
  if (streamNames !== undefined && (!Array.isArray(streamNames) || streamNames.some((name) => typeof name !== 'string') || streamNames.length > 100)) {
    throw invalidParameter("1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length between 1 and 100");
  }
  const matches = compileFilterPattern(text(input, 'filterPattern'));
  const limit = integer(input, 'limit', [1, 10_000]) ?? 10_000;
  const token = text(input, 'nextToken');
  const query = {
    groupName: group,
    streamNames: streamNames as string[] | undefined,
    streamPrefix,
    startTime: integer(input, 'startTime', [0, Number.MAX_SAFE_INTEGER]),
    endTime: integer(input, 'endTime', [0, Number.MAX_SAFE_INTEGER]),
    after: token ? decodeToken(token, isKey) : undefined,
  };
  const found: LogEventRow[] = [];
  let scanned = 0;
  let exhausted = false;
  let bytes = 0;
  let lastSeen: EventKey | undefined = query.after;
  while (found.length < limit && bytes < MAX_RESPONSE_BYTES) {
    if (scanned >= SCAN_BUDGET) break;
    const chunk = context.logs.events({ ...query, after: lastSeen }, 1000);
    if (chunk.length === 0) {
      exhausted = true;
      break;
    }
    for (const row of chunk) {
      scanned++;
      lastSeen = { timestamp: row.timestamp, seq: row.seq };
      if (!matches(row.message)) continue;
      found.push(row);
      bytes += Buffer.byteLength(row.message, 'utf8') + 26;
      if (found.length >= limit || bytes >= MAX_RESPONSE_BYTES) break;
    }
    if (chunk.length < 1000 && found.length < limit && bytes < MAX_RESPONSE_BYTES) {
      exhausted = true;
      break;
    }
  }
  const more = !exhausted && lastSeen !== undefined && context.logs.events({ ...query, after: lastSeen }, 1).length > 0;
  const searched = streamNames ? (streamNames as string[]) : context.logs.listStreams(group, { prefix: streamPrefix, orderBy: 'LogStreamName', descending: false }).map((row) => row.name);
  return {
    events: found.map((row) => ({ logStreamName: row.streamName, timestamp: row.timestamp, message: row.message, ingestionTime: row.ingestion, eventId: eventId(row.seq) })),
    searchedLogStreams: searched.map((logStreamName) => ({ logStreamName, searchedCompletely: !more })),
    ...(more ? { nextToken: encodeToken(lastSeen) } : {}),
  };
};

export const logsActions: Record<string, Handler> = {
  CreateLogGroup: createLogGroup,
  DeleteLogGroup: deleteLogGroup,
  PutRetentionPolicy: putRetentionPolicy,
  DeleteRetentionPolicy: deleteRetentionPolicy,
  DescribeLogGroups: describeLogGroups,
  CreateLogStream: createLogStream,
  DescribeLogStreams: describeLogStreams,
  PutLogEvents: putLogEvents,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
};
