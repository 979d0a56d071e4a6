/**
 * One Lambda execution environment: a worker thread that loads one handler
 * module and runs its invocations one at a time, as a warm Lambda sandbox
 * does (module state survives between invocations). It is a thread of its
 * own so that nothing the handler does (a busy loop, process.exit(), an
 * uncaught exception, an unhandled rejection) blocks or ends the emulator:
 * the host terminates the thread and fails that invocation with Lambda's
 * error shape.
 */
import Module, { createRequire, register } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { PROVIDED } from './lambda-resolve.js';

export interface WorkerBoot {
  /** URL of the module to import (the handler, or its esbuild bundle). */
  moduleUrl: string;
  /** URL of the resolve hook (lambda-resolve) and the module deliv's own packages resolve from. */
  hookUrl: string;
  fallbackParent: string;
}

export interface InvokeMessage {
  type: 'invoke';
  id: string;
  /** The event as JSON text (Lambda hands the handler a fresh parse of the payload). */
  event: string;
  context: {
    functionName: string;
    functionVersion: string;
    invokedFunctionArn: string;
    memoryLimitInMB: string;
    awsRequestId: string;
    logGroupName: string;
    logStreamName: string;
    deadline: number;
  };
}

export interface ThrownError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export type WorkerMessage =
  /** The runtime is set up; the handler's own initialisation (its module's import) starts now. */
  | { type: 'loading' }
  | { type: 'ready' }
  | { type: 'load-error'; error: ThrownError; handlerMissing?: boolean }
  | { type: 'done'; id: string; ok: true; json: string }
  | { type: 'done'; id: string; ok: false; error: ThrownError }
  /** The environment is lost (uncaught exception, unhandled rejection): the host fails the invocation with this. */
  | { type: 'fatal'; errorType: string; error: ThrownError };

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;

const port = parentPort!;
const boot = workerData as WorkerBoot;
const post = (message: WorkerMessage) => port.postMessage(message);

export function thrown(value: unknown): ThrownError {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { name: value.name || 'Error', message: value.message, stack: value.stack, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(value) };
}

// Stack traces point at the handler's source through the inline source map of its bundle.
process.setSourceMapsEnabled(true);
register(boot.hookUrl, { data: { fallbackParent: boot.fallbackParent } });
provideSdkToRequire(boot.fallbackParent);
// These would end the emulator's whole process from a thread: they end this environment instead.
process.abort = () => process.exit(134);
const kill = process.kill.bind(process);
process.kill = (pid: number, signal?: string | number) => (pid === process.pid || pid === 0 ? process.exit(137) : kill(pid, signal));

process.on('uncaughtException', (error) => {
  post({ type: 'fatal', errorType: error instanceof Error ? error.name || 'Error' : 'Error', error: thrown(error) });
  process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  // Lambda's shape: errorType Runtime.UnhandledPromiseRejection, errorMessage the reason as text.
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  const stack = reason instanceof Error && reason.stack ? reason.stack.split('\n').slice(1).join('\n') : '';
  post({ type: 'fatal', errorType: 'Runtime.UnhandledPromiseRejection', error: { name: 'Runtime.UnhandledPromiseRejection', message: text, stack: `Runtime.UnhandledPromiseRejection: ${text}${stack ? `\n${stack}` : ''}` } });
  process.exit(128);
});

let handler: Handler;
post({ type: 'loading' });
try {
  const module = (await import(boot.moduleUrl)) as { handler?: unknown; default?: { handler?: unknown } };
  const exported = module.handler ?? module.default?.handler;
  if (typeof exported !== 'function') {
    post({ type: 'load-error', error: { name: 'Runtime.HandlerNotFound', message: 'handler is undefined or not exported' }, handlerMissing: true });
    process.exit(0);
  }
  handler = exported as Handler;
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'load-error', error: thrown(error) });
  process.exit(0);
}

port.on('message', (message: InvokeMessage) => {
  const { deadline, ...fields } = message.context;
  const context = { ...fields, callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  const event = JSON.parse(message.event) as unknown;
  void run(handler, event, context).then(
    (result) => {
      let json: string;
      try {
        json = result === undefined ? 'null' : JSON.stringify(result);
      } catch (error) {
        post({ type: 'done', id: message.id, ok: false, error: thrown(error) });
        return;
      }
      post({ type: 'done', id: message.id, ok: true, json });
    },
    (error: unknown) => post({ type: 'done', id: message.id, ok: false, error: thrown(error) }),
  );
});

/**
 * The resolve hook above serves `import`; CommonJS handlers (`.cjs`, `.js` in a
 * CommonJS package) `require()` through the CommonJS resolver, which Node 20
 * never passes through module hooks. The same rule, there: the handler's own
 * resolution first (a project's node_modules wins), deliv's copy of `@aws-sdk/*`
 * only when that finds nothing.
 */
function provideSdkToRequire(fallbackParent: string): void {
  type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
  const cjs = Module as unknown as { _resolveFilename: Resolve };
  const own = cjs._resolveFilename;
  const provided = createRequire(fallbackParent);
  cjs._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    try {
      return own.call(this, request, parent, isMain, options);
    } catch (error) {
      if (!PROVIDED.test(request) || (error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      try {
        return provided.resolve(request);
      } catch {
        throw error;
      }
    }
  };
}

/** A handler returns (or resolves to) its result, or, written callback-style, passes it to the callback. */
async function run(fn: Handler, event: unknown, context: unknown): Promise<unknown> {
  // Called straight from here (no promise executor around it) so that its trace starts at its own frames.
  if (fn.length < 3) return await fn(event, context);
  return new Promise((resolve, reject) => {
    const returned = fn(event, context, (error: unknown, result?: unknown) => (error === null || error === undefined ? resolve(result) : reject(error)));
    if (returned instanceof Promise) returned.then(resolve, reject);
  });
}
