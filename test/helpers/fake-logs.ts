/**
 * A small CloudWatch Logs endpoint on 127.0.0.1 for tests of the AWS paths,
 * reached through the real @aws-sdk/client-cloudwatch-logs (point
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS at `url`): the AWS JSON 1.1 wire format
 * (`POST /`, `X-Amz-Target: Logs_20140328.<Action>`, errors as
 * `{"__type", "message"}` with HTTP 400), log groups with their retention,
 * and FilterLogEvents as CloudWatch Logs pages it: at most `pageSize` events a
 * response, a `nextToken` while more may match, and (with `emptyFirstPage`)
 * a first page that holds no events but a token, as a scan of a large group
 * returns.
 *
 * Filter patterns: the JSON form Step Functions users (and deliv) send,
 * `{ $.key = "value" }` terms joined by `||` or `&&`, in parentheses or not.
 * `intercept` answers any call with an AWS error instead (AccessDenied).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { serveFake } from './fake-server.js';

export interface FakeLogEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

export interface FakeLogGroup {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  events: FakeLogEvent[];
}

export interface FakeLogsCall {
  action: string;
  body: Record<string, any>;
}

export type FakeLogsError = { code: string; message: string };
export type FakeLogsInterceptor = (call: FakeLogsCall, count: number) => FakeLogsError | undefined;

export interface FakeLogs {
  url: string;
  calls: FakeLogsCall[];
  groups: Map<string, FakeLogGroup>;
  /** Appends events to a group (created when missing), as Step Functions delivers them. */
  put(groupName: string, events: Array<{ timestamp: number; message: string; logStreamName?: string }>): void;
  intercept(interceptor: FakeLogsInterceptor | undefined): void;
  close(): Promise<void>;
}

type Term = { key: string[]; value: string };

/** `{ ($.type = "A") || ($.type = "B") }` → any of the terms; `&&` → all of them. */
function compilePattern(pattern: string | undefined): (message: string) => boolean {
  if (!pattern || pattern.trim() === '') return () => true;
  const body = pattern.trim().replace(/^\{/, '').replace(/\}$/, '');
  const any = body.includes('||');
  const terms: Term[] = body.split(any ? '||' : '&&').map((part) => {
    const match = /^\s*\(?\s*\$\.([\w.]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)?\s*$/.exec(part);
    if (!match) throw Object.assign(new Error(`Invalid filter pattern: ${pattern}`), { code: 'InvalidParameterException' });
    return { key: match[1].split('.'), value: match[2] };
  });
  const holds = (parsed: unknown, term: Term) => {
    let value: unknown = parsed;
    for (const key of term.key) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return String(value) === term.value;
  };
  return (message) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return false;
    }
    return any ? terms.some((term) => holds(parsed, term)) : terms.every((term) => holds(parsed, term));
  };
}

export async function startFakeLogs(options: { region?: string; account?: string; pageSize?: number; emptyFirstPage?: boolean } = {}): Promise<FakeLogs> {
  const region = options.region ?? 'eu-west-1';
  const account = options.account ?? '111122223333';
  const pageSize = options.pageSize ?? 10_000;
  const calls: FakeLogsCall[] = [];
  const counts = new Map<string, number>();
  const groups = new Map<string, FakeLogGroup>();
  let interceptor: FakeLogsInterceptor | undefined;
  let sequence = 0;

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    response.end(JSON.stringify(body));
  };
  const fail = (response: ServerResponse, error: FakeLogsError) => send(response, 400, { __type: error.code, message: error.message });
  const notFound: FakeLogsError = { code: 'ResourceNotFoundException', message: 'The specified log group does not exist.' };
  const arn = (name: string) => `arn:aws:logs:${region}:${account}:log-group:${name}`;
  const nameOf = (body: Record<string, any>): string | undefined =>
    body.logGroupName ?? (typeof body.logGroupIdentifier === 'string' ? body.logGroupIdentifier.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '') : undefined);

  function answer(action: string, body: Record<string, any>, response: ServerResponse): void {
    switch (action) {
      case 'CreateLogGroup': {
        if (groups.has(body.logGroupName)) return fail(response, { code: 'ResourceAlreadyExistsException', message: 'The specified log group already exists' });
        groups.set(body.logGroupName, { name: body.logGroupName, creationTime: Date.now(), events: [] });
        return send(response, 200, {});
      }
      case 'DeleteLogGroup':
        if (!groups.delete(body.logGroupName)) return fail(response, notFound);
        return send(response, 200, {});
      case 'PutRetentionPolicy': {
        const group = groups.get(nameOf(body) ?? '');
        if (!group) return fail(response, notFound);
        group.retentionInDays = body.retentionInDays;
        return send(response, 200, {});
      }
      case 'DescribeLogGroups': {
        const prefix = String(body.logGroupNamePrefix ?? '');
        const matching = [...groups.values()].filter((group) => group.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
        return send(response, 200, {
          logGroups: matching.map((group) => ({
            logGroupName: group.name,
            creationTime: group.creationTime,
            ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
            metricFilterCount: 0,
            arn: `${arn(group.name)}:*`,
            logGroupArn: arn(group.name),
            storedBytes: group.events.reduce((sum, event) => sum + Buffer.byteLength(event.message) + 26, 0),
          })),
        });
      }
      case 'FilterLogEvents': {
        const group = groups.get(nameOf(body) ?? '');
        if (!group) return fail(response, notFound);
        let matches: (message: string) => boolean;
        try {
          matches = compilePattern(body.filterPattern);
        } catch (error) {
          return fail(response, { code: 'InvalidParameterException', message: (error as Error).message });
        }
        const selected = group.events
          .filter((event) => (body.startTime === undefined || event.timestamp >= body.startTime) && (body.endTime === undefined || event.timestamp <= body.endTime))
          .filter((event) => matches(event.message))
          .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
        const token = body.nextToken ? (JSON.parse(Buffer.from(body.nextToken, 'base64').toString('utf8')) as { offset: number }) : undefined;
        if (!token && options.emptyFirstPage && selected.length > 0) {
          return send(response, 200, { events: [], searchedLogStreams: [], nextToken: Buffer.from(JSON.stringify({ offset: 0 })).toString('base64') });
        }
        const offset = token?.offset ?? 0;
        const size = Math.min(pageSize, body.limit ?? 10_000);
        const page = selected.slice(offset, offset + size);
        const more = offset + size < selected.length;
        return send(response, 200, {
          events: page,
          searchedLogStreams: [...new Set(group.events.map((event) => event.logStreamName))].map((logStreamName) => ({ logStreamName, searchedCompletely: !more })),
          ...(more ? { nextToken: Buffer.from(JSON.stringify({ offset: offset + size })).toString('base64') } : {}),
        });
      }
      default:
        return fail(response, { code: 'UnknownOperationException', message: `fake CloudWatch Logs does not serve ${action}` });
    }
  }

  const server = await serveFake((request, response, text) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.replace(/^Logs_20140328\./, '');
    const body = text ? (JSON.parse(text) as Record<string, any>) : {};
    const call = { action, body };
    calls.push(call);
    const count = (counts.get(action) ?? 0) + 1;
    counts.set(action, count);
    if (!target.startsWith('Logs_20140328.')) return fail(response, { code: 'UnknownOperationException', message: `no X-Amz-Target Logs_20140328.*: ${target}` });
    const intercepted = interceptor?.(call, count);
    if (intercepted) return fail(response, intercepted);
    answer(action, body, response);
  });
  return {
    url: server.url,
    calls,
    groups,
    put(groupName, events) {
      let group = groups.get(groupName);
      if (!group) groups.set(groupName, (group = { name: groupName, creationTime: Date.now(), events: [] }));
      for (const event of events) {
        sequence++;
        group.events.push({ logStreamName: event.logStreamName ?? 'states/stream/0', timestamp: event.timestamp, message: event.message, ingestionTime: event.timestamp + 5, eventId: String(sequence).padStart(56, '0') });
      }
    },
    intercept(next) {
      interceptor = next;
      counts.clear();
    },
    close: server.close,
  };
}
