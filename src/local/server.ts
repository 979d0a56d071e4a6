/**
 * The emulator's HTTP face: AWS JSON 1.0 (`POST /`, `X-Amz-Target:
 * AWSStepFunctions.<Action>`), errors as `{"__type", "message"}` with AWS's
 * status codes, so @aws-sdk/client-sfn and the AWS CLI work unchanged; on the
 * same port the CloudWatch Logs subset in AWS JSON 1.1 (`Logs_20140328.<Action>`).
 * Two read-only extras for deliv itself: `GET /deliv/status` and `GET /deliv/tasks`.
 */
import http from 'node:http';
import { ApiError } from './api-error.js';
import { activityActions } from './api/activities.js';
import { callbackActions } from './api/callbacks.js';
import type { Handler } from './api/common.js';
import { executionActions, startExecution } from './api/executions.js';
import { logsActions } from './api/logs.js';
import { machineActions } from './api/machines.js';
import { mapRunActions } from './api/map-runs.js';
import { tagActions } from './api/tags.js';
import { validationActions } from './api/validation.js';
import { parseMachineArn } from './arn.js';
import type { EmulatorContext } from './context.js';
import { backupPath } from './store.js';
import { StatesErrors } from '../asl/errors.js';
import { requestGuard } from './guard.js';

export const ACTIONS: Record<string, Handler> = {
  ...machineActions,
  ...executionActions,
  ...callbackActions,
  ...activityActions,
  ...mapRunActions,
  ...validationActions,
  ...tagActions,
};

/** The services on this port: their X-Amz-Target prefix, actions and JSON protocol version. */
const SERVICES = [
  { prefix: 'AWSStepFunctions.', actions: ACTIONS, type: 'application/x-amz-json-1.0' },
  { prefix: 'Logs_20140328.', actions: logsActions, type: 'application/x-amz-json-1.1' },
];
/** Definitions may be 1 MiB; the JSON envelope and escaping add to it. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

function serviceFor(target: string) {
  return SERVICES.find((service) => target.startsWith(service.prefix)) ?? SERVICES[0];
}

export interface ServerOptions {
  /** The address the server binds (`--host`): requests must be addressed to it or to loopback. */
  host: string;
  /** Called once per request with a one-line summary (`--verbose`). */
  log?: (line: string) => void;
}

export function createServer(context: EmulatorContext, options: ServerOptions): http.Server {
  wireNestedExecutions(context);
  const { log } = options;
  const guard = requestGuard(options.host);
  const server = http.createServer((request, response) => {
    const started = performance.now();
    const finish = (status: number, action: string) => {
      log?.(`${request.method} ${action} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    };
    const refused = guard.refuse(request.headers);
    if (refused !== undefined) {
      // Nothing is read or run: not the body, not the action.
      request.resume();
      send(response, 403, { __type: 'AccessDeniedException', message: refused }, serviceFor(String(request.headers['x-amz-target'] ?? '')).type);
      finish(403, '(refused)');
      return;
    }
    if (request.method === 'POST' && request.url === '/deliv/backup') {
      // `deliv local backup` while the emulator runs: only this process can read its (exclusively locked) store.
      request.resume();
      try {
        send(response, 200, { file: context.store.backup(backupPath(context.dataDir, 'backup')) }, 'application/json');
        finish(200, request.url);
      } catch (error) {
        send(response, 500, { __type: 'InternalFailure', message: (error as Error).message }, 'application/json');
        finish(500, request.url);
      }
      return;
    }
    if (request.method === 'GET' && request.url?.startsWith('/deliv/')) {
      const body = internal(context, request.url);
      send(response, body ? 200 : 404, body ?? { message: 'not found' }, 'application/json');
      finish(body ? 200 : 404, request.url);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const service = serviceFor(target);
      const action = target.startsWith(service.prefix) ? target.slice(service.prefix.length) : target;
      void dispatch(context, request.method ?? '', target, size > MAX_BODY_BYTES ? null : Buffer.concat(chunks), hangUpSignal(response)).then(({ status, body }) => {
        send(response, status, body, service.type);
        finish(status, action || '(no action)');
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

/**
 * The call's `signal`: it aborts when the client hangs up before its answer
 * (a long poll, say). Made on first use, since only long polls read it: an
 * AbortController and a close listener for every request cost the emulator
 * about a tenth of what it spends per request beyond a trivial server.
 */
function hangUpSignal(response: http.ServerResponse): { readonly signal: AbortSignal } {
  let hangUp: AbortController | undefined;
  return {
    get signal() {
      if (!hangUp) {
        const controller = (hangUp = new AbortController());
        if (response.closed && !response.writableEnded) controller.abort();
        else
          response.on('close', () => {
            if (!response.writableEnded) controller.abort();
          });
      }
      return hangUp.signal;
    },
  };
}

async function dispatch(context: EmulatorContext, method: string, target: string, body: Buffer | null, call?: { readonly signal: AbortSignal }): Promise<{ status: number; body: unknown }> {
  try {
    if (method !== 'POST') throw new ApiError('UnknownOperationException', `${method} is not supported: the Step Functions API takes POST /`);
    const service = serviceFor(target);
    const action = target.slice(service.prefix.length);
    if (!target.startsWith(service.prefix) || !Object.hasOwn(service.actions, action)) {
      throw new ApiError('UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header');
    }
    if (body === null) throw new ApiError('ValidationException', `Request body larger than ${MAX_BODY_BYTES} bytes`, 413);
    let input: Record<string, unknown> = {};
    const text = body.toString('utf8').trim();
    if (text !== '') {
      try {
        input = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ApiError('SerializationException', 'Start of structure or map found where not expected / malformed JSON body');
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ApiError('SerializationException', 'The request body must be a JSON object');
    }
    const result = await service.actions[action](context, input, call);
    // Nothing is acknowledged before it is durable: the answer waits for the batch holding its writes.
    await context.store.committed();
    return { status: 200, body: result ?? {} };
  } catch (error) {
    if (error instanceof ApiError) {
      // A failed request may have written before failing (e.g. a savepoint rolled back around it).
      await context.store.committed().catch(() => undefined);
      return { status: error.status, body: { __type: error.type, message: error.message, ...error.extra } };
    }
    const code = String((error as NodeJS.ErrnoException)?.code ?? '');
    if (code.startsWith('SQLITE_')) {
      // Nothing of this request is acknowledged: its writes did not reach the store (disk full, read-only, I/O error).
      return { status: 500, body: { __type: 'InternalFailure', message: `The request could not be recorded: the emulator cannot write to its store (${(error as Error).message}). Retry once there is space.` } };
    }
    return { status: 500, body: { __type: 'InternalServerError', message: (error as Error)?.message ?? String(error) } };
  }
}

function send(response: http.ServerResponse, status: number, body: unknown, type: string): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': crypto.randomUUID(),
  };
  if (status >= 400 && body && typeof body === 'object' && '__type' in body) headers['x-amzn-ErrorType'] = String((body as { __type: string }).__type);
  response.writeHead(status, headers);
  response.end(text);
}

function internal(context: EmulatorContext, url: string): unknown {
  if (url === '/deliv/status') {
    return {
      pid: process.pid,
      endpoint: context.endpoint,
      dataDir: context.dataDir,
      root: context.root,
      startedAt: new Date(context.startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - context.startedAt) / 1000),
      machines: context.store.listMachines().length,
      runningExecutions: context.runtime.runningCount,
      executions: context.store.countExecutions(),
      quarantined: context.runtime.quarantined(),
    };
  }
  if (url === '/deliv/tasks') {
    return {
      tasks: context.tokens.waiting().map((row) => ({
        taskToken: row.token,
        executionArn: row.executionArn,
        stateName: row.stateName,
        waitingSince: new Date(row.created).toISOString(),
        lastHeartbeat: row.heartbeat ? new Date(row.heartbeat).toISOString() : undefined,
      })),
    };
  }
  return undefined;
}

/** Nested `states:startExecution` tasks start children exactly as StartExecution does. */
function wireNestedExecutions(context: EmulatorContext): void {
  context.nested.start = (request) => {
    const input = request.input === undefined ? '{}' : typeof request.input === 'string' ? request.input : JSON.stringify(request.input);
    const ref = parseMachineArn(request.stateMachineArn);
    // The same task replayed after a crash: its child already exists.
    const earlier = request.name ? context.store.findExecutionByName(ref.machineArn, request.name) : undefined;
    if (earlier && earlier.parentArn === request.parentArn) return earlier;
    const { row, existing } = startExecution(context, { stateMachineArn: request.stateMachineArn, name: request.name, input, parentArn: request.parentArn });
    if (!existing) context.runtime.run(row);
    return row;
  };
  context.nested.stop = (arn) => {
    void context.runtime.stop(arn, StatesErrors.Aborted, 'the parent execution stopped waiting for this one');
  };
}
