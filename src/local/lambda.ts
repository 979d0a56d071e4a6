/**
 * Local Lambda: a function name resolves to the handler module deliv.yaml maps
 * it to. `.ts`/`.mts`/`.cts` modules are bundled with esbuild (inline source
 * maps) on first use and again when they change, as the module Node would
 * make of them (typeScriptFormat); `.js`/`.mjs`/`.cjs` are imported as they are.
 *
 * Each handler runs in worker threads (lambda-worker.ts), never on the
 * emulator's event loop: a warm pool per function, one invocation at a time
 * per worker as in a Lambda execution environment. A worker that overruns
 * timeoutSeconds is terminated (States.Timeout); one that exits, throws
 * outside the invocation or leaves a rejection unhandled fails that
 * invocation with Lambda's error shape and is replaced. A handler that could
 * not load is loaded again by the next invocation (a fresh worker has a fresh
 * module cache), so `npm install` needs no restart.
 */
import { announceRealAws, handlerAwsEnvironment } from './handler-env.js';
import { insideProject, isWithin, PathOutsideProject, projectOutput } from '../project/confine.js';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JsonValue } from '../asl/types.js';
import { TaskFailure } from '../engine/types.js';
import type { FunctionConfig } from '../project/config.js';
import { StatesErrors } from '../asl/errors.js';
import type { Partition } from './arn.js';
import { workerExecArgv } from '../engine/threads.js';
import type { InvokeMessage, ThrownError, WorkerBoot, WorkerMessage } from './lambda-worker.js';

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** Lambda's default timeout when deliv.yaml gives none. */
const DEFAULT_TIMEOUT_SECONDS = 3;
/**
 * Lambda gives a function's initialisation (its module's top-level code) 10 s
 * of its own. The clock starts when the handler's import starts, not when the
 * worker is created: setting up the worker is deliv's cost, not the function's,
 * and on a busy machine a burst of cold starts (a restart resuming hundreds of
 * executions) can take longer than that to set up alone.
 */
const INIT_TIMEOUT_MS = 10_000;
/** Workers per function at once; more concurrent invocations queue (a laptop is not a Lambda fleet). */
const MAX_WORKERS_PER_FUNCTION = 10;
/** An idle worker stays warm this long, as a Lambda environment stays warm between invocations. */
const IDLE_MS = 5 * 60_000;

/** Run from the TypeScript sources (tests, bench) the worker is loaded through tsx. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const HOOK_URL = new URL(FROM_SOURCES ? './lambda-resolve.ts' : './lambda-resolve.js', import.meta.url).href;
/** deliv's package folder: its frames never show in a handler's trace, its @aws-sdk packages are the ones provided. */
const DELIV_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Prepared {
  moduleUrl: string;
  /** The handler's source file. */
  file: string;
  /** The file a user knows (functions/x.ts), relative to the project. */
  label: string;
}

export interface LambdaLimits {
  /** How long a handler's module may take to load (Lambda: 10 s, or the function's timeout when longer). */
  initTimeoutMs?: number;
}

export class LambdaHost {
  private readonly bundles = new Map<string, { key: string; prepared: Promise<Prepared> }>();
  private readonly pools = new Map<string, FunctionPool>();

  constructor(
    private readonly root: string,
    private readonly cacheDir: string,
    private readonly partition: Partition,
    /** Where the emulator answers (known once it listens): local handlers' SDK endpoints. */
    private readonly endpoint: () => string = () => process.env.AWS_ENDPOINT_URL_SFN ?? '',
    private readonly limits: LambdaLimits = {},
  ) {}

  async invoke(name: string, config: FunctionConfig, payload: unknown, signal: AbortSignal, qualifier = '$LATEST'): Promise<JsonValue> {
    let file: string;
    try {
      file = insideProject(this.root, config.handler);
    } catch (error) {
      if (!(error instanceof PathOutsideProject)) throw error;
      throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: the handler of \`${name}\` must be a file of the project (${error.message}); fix functions.${name}.handler in deliv.yaml`);
    }
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: the handler of \`${name}\` (${config.handler}) does not exist; fix functions.${name}.handler in deliv.yaml`);
    }
    const prepared = await this.prepare(name, file, mtime);
    const pool = this.pool(name, config, prepared);
    const timeoutMs = (config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const requestId = crypto.randomUUID();
    const message: InvokeMessage = {
      type: 'invoke',
      id: requestId,
      event: JSON.stringify(payload ?? null),
      context: {
        functionName: name,
        functionVersion: qualifier,
        invokedFunctionArn: `arn:aws:lambda:${this.partition.region}:${this.partition.account}:function:${name}`,
        memoryLimitInMB: String(config.memoryMB ?? 128),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${name}`,
        logStreamName: `local/${new Date().toISOString().slice(0, 10)}`,
        deadline: 0,
      },
    };
    // Lambda goes on running an invocation whose caller gave up (a stopped execution, a state's own
    // TimeoutSeconds): so does the worker, until it answers or its own timeout ends it.
    const running = pool.invoke(message, timeoutMs, Math.max(timeoutMs, this.limits.initTimeoutMs ?? INIT_TIMEOUT_MS));
    running.catch(() => undefined);
    const json = await abortable(running, signal);
    return JSON.parse(json) as JsonValue;
  }

  /** Ends every worker (the emulator stops). */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private pool(name: string, config: FunctionConfig, prepared: Prepared): FunctionPool {
    const key = `${prepared.moduleUrl}|${config.memoryMB ?? 128}`;
    const pools = this.pools;
    let pool = pools.get(name);
    if (pool?.key !== key) {
      // A changed handler (or deliv.yaml entry): the old workers finish what they run and go.
      void pool?.close();
      pool = new FunctionPool(key, () => this.spawn(name, config, prepared), this.root, prepared);
      pools.set(name, pool);
    }
    return pool;
  }

  private spawn(name: string, config: FunctionConfig, prepared: Prepared): Worker {
    const boot: WorkerBoot = { moduleUrl: prepared.moduleUrl, hookUrl: HOOK_URL, fallbackParent: import.meta.url };
    const memory = config.memoryMB ?? 128;
    if (config.aws === 'real') announceRealAws(name);
    const env = handlerAwsEnvironment(process.env, { mode: config.aws, endpoint: this.endpoint(), partition: this.partition });
    Object.assign(env, {
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      LAMBDA_TASK_ROOT: this.root,
    });
    // The heap is bounded by the function's memory (never below what the SDK needs to load), so a
    // runaway handler runs out of memory in its own worker.
    const options = { workerData: boot, env, resourceLimits: { maxOldGenerationSizeMb: Math.max(memory, 256) }, execArgv: workerExecArgv() };
    if (!FROM_SOURCES) return new Worker(new URL('./lambda-worker.js', import.meta.url), options);
    const source = new URL('./lambda-worker.ts', import.meta.url).href;
    // An eval'd worker has CommonJS's require, module, exports, __filename and __dirname as globals, which
    // the built worker (a file) has not: without them, an ES module handler meets what it meets in production.
    const unglobal = "for (const name of ['require', 'module', 'exports', '__filename', '__dirname']) delete globalThis[name];";
    return new Worker(`${unglobal} import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`, { ...options, eval: true });
  }

  private prepare(name: string, file: string, mtime: number): Promise<Prepared> {
    // A package.json "type" changed since (say "type": "module" added) makes the same file another module.
    const format = TYPESCRIPT.test(file) ? typeScriptFormat(file) : 'as-is';
    const key = `${mtime}|${format}`;
    const cached = this.bundles.get(file);
    if (cached && cached.key === key) return cached.prepared;
    const prepared = this.bundle(name, file, mtime, format);
    this.bundles.set(file, { key, prepared });
    prepared.catch(() => this.bundles.delete(file));
    return prepared;
  }

  /**
   * A file of the handler cache, checked before anything is written: the cache
   * stays in the project (or in the data dir given with --data-dir), so a
   * `.deliv` or cache entry that is a symbolic link out is refused, not written through.
   */
  private cacheFile(name: string): string {
    const target = path.join(this.cacheDir, name);
    const home = isWithin(path.resolve(this.root), path.resolve(this.cacheDir)) ? this.root : this.cacheDir;
    try {
      return projectOutput(home, target);
    } catch (error) {
      if (!(error instanceof PathOutsideProject)) throw error;
      throw new TaskFailure(StatesErrors.Runtime, `refusing to write the handler cache ${relative(this.root, target)}: ${error.why}; remove the link (deliv recreates its cache)`);
    }
  }

  private async bundle(name: string, file: string, mtime: number, format: TypeScriptFormat | 'as-is'): Promise<Prepared> {
    const label = relative(this.root, file);
    if (format === 'as-is') return { moduleUrl: pathToFileURL(file).href, file, label };
    const { build } = await import('esbuild');
    const bundleAs = async (as: 'esm' | 'cjs') => {
      // A CommonJS bundle keeps require() a real require() (an ES module one turns it into esbuild's
      // "Dynamic require is not supported"); import.meta would be empty there, so it is an error.
      const outfile = this.cacheFile(`${name}-${Math.round(mtime)}.${as === 'cjs' ? 'cjs' : 'mjs'}`);
      mkdirSync(this.cacheDir, { recursive: true });
      const logOverride: Record<string, 'error'> = as === 'cjs' ? { 'empty-import-meta': 'error' } : {};
      await build({ entryPoints: [file], outfile, absWorkingDir: this.root, bundle: true, platform: 'node', format: as, packages: 'external', target: 'node20', sourcemap: 'inline', sourcesContent: false, logLevel: 'silent', logOverride });
      return { moduleUrl: pathToFileURL(outfile).href, file, label };
    };
    try {
      if (format !== 'detect') return await bundleAs(format);
      try {
        return await bundleAs('cjs');
      } catch (error) {
        // What only an ES module can have (top-level await, import.meta) makes it one, as Node's detection decides.
        if (!esmOnly(error)) throw error;
        return await bundleAs('esm');
      }
    } catch (error) {
      // A cache deliv refuses to write is its own failure, not the handler's.
      throw error instanceof TaskFailure ? error : compileFailure(error, this.root, label);
    }
  }
}

const TYPESCRIPT = /\.(c|m)?tsx?$/;

/** How a TypeScript handler is bundled: as an ES module, as CommonJS, or as CommonJS unless it needs to be an ES module. */
type TypeScriptFormat = 'esm' | 'cjs' | 'detect';

/**
 * The module system of a TypeScript handler, as Node decides it for the file:
 * `.mts` is an ES module and `.cts` CommonJS; a `.ts` is what a `.js` in its
 * place would be, so the nearest package.json's "type" decides ("module": ES
 * module, "commonjs": CommonJS). With no "type" Node runs it as CommonJS unless
 * it has syntax only an ES module can have, and AWS's bundlers (SAM's esbuild
 * build, CDK's NodejsFunction) bundle it as CommonJS by default: `import`
 * and `require()` both work there, so deliv does the same.
 */
function typeScriptFormat(file: string): TypeScriptFormat {
  if (/\.mtsx?$/.test(file)) return 'esm';
  if (/\.ctsx?$/.test(file)) return 'cjs';
  const type = packageType(path.dirname(file));
  return type === 'module' ? 'esm' : type === 'commonjs' ? 'cjs' : 'detect';
}

/** The "type" of the package.json nearest to `dir` (Node's lookup: the first one found going up, whatever it says). */
function packageType(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    let text: string | undefined;
    try {
      text = readFileSync(path.join(at, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        const type = (JSON.parse(text) as { type?: unknown }).type;
        return typeof type === 'string' ? type : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(at) === at) return undefined;
  }
}

/** esbuild refused a CommonJS bundle for what only an ES module can do. */
function esmOnly(error: unknown): boolean {
  const errors = (error as { errors?: { id?: string; text: string }[] }).errors ?? [];
  return errors.length > 0 && errors.every((entry) => entry.id === 'empty-import-meta' || /^Top-level await is currently not supported with the "cjs" output format/.test(entry.text));
}

/** The workers of one handler version. */
class FunctionPool {
  private readonly idle: Environment[] = [];
  private readonly waiting: ((environment: Environment) => void)[] = [];
  private size = 0;
  private closed = false;

  constructor(
    readonly key: string,
    private readonly spawn: () => Worker,
    private readonly root: string,
    private readonly source: Prepared,
  ) {}

  async invoke(message: InvokeMessage, timeoutMs: number, initLimitMs: number): Promise<string> {
    const environment = await this.acquire();
    try {
      return await environment.invoke(message, timeoutMs, initLimitMs);
    } finally {
      this.release(environment);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((environment) => environment.terminate()));
  }

  private acquire(): Promise<Environment> {
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.size < MAX_WORKERS_PER_FUNCTION) return Promise.resolve(this.create());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private create(): Environment {
    this.size += 1;
    const environment = new Environment(this.spawn(), this.root, this.source, () => {
      this.size -= 1;
      const at = this.idle.indexOf(environment);
      if (at >= 0) this.idle.splice(at, 1);
      const next = this.waiting.shift();
      if (next) next(this.create());
    });
    return environment;
  }

  private release(environment: Environment): void {
    // One that is being terminated (it timed out) is never handed out again: its replacement loads afresh.
    if (environment.gone || environment.ending) return;
    if (this.closed) {
      void environment.terminate();
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next(environment);
      return;
    }
    environment.rest();
    this.idle.push(environment);
  }
}

/** One worker: its start-up, the invocation it runs, and how it ended. */
class Environment {
  gone = false;
  /** terminate() was called: the worker is going, though its exit has not arrived yet. */
  ending = false;
  private readonly ready: Promise<void>;
  /** Settles when the worker starts importing the handler (its init phase), with the time it did. */
  private readonly loading: Promise<number>;
  private onLoading!: (at: number) => void;
  private current: { id: string; resolve(json: string): void; reject(failure: TaskFailure): void } | undefined;
  /** What ended the environment, once known (finding a syntax error's line takes a parse). */
  private fatal: TaskFailure | Promise<TaskFailure> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private onLoaded!: () => void;
  private onLoadFailed!: (failure: TaskFailure) => void;
  private loaded = false;

  constructor(
    private readonly worker: Worker,
    private readonly root: string,
    private readonly source: Prepared,
    private readonly onGone: () => void,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.onLoaded = resolve;
      this.onLoadFailed = reject;
    });
    this.ready.catch(() => undefined);
    this.loading = new Promise((resolve) => {
      this.onLoading = resolve;
    });
    worker.on('message', (message: WorkerMessage) => this.receive(message));
    worker.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      this.fatal ??=
        code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? runtimeFailure('Runtime.OutOfMemory', `RequestId: ${this.current?.id ?? ''} Error: Runtime exited with error: signal: killed`)
          : lambdaFailure(error, this.root);
    });
    worker.on('exit', (code) => this.exited(code));
  }

  async invoke(message: InvokeMessage, timeoutMs: number, initLimitMs: number): Promise<string> {
    this.busy();
    if (!this.loaded) {
      // No limit until the handler's import starts (a worker that dies before that rejects `ready`).
      const since = await Promise.race([this.loading, this.ready.then(() => Date.now())]);
      await within(this.ready, initLimitMs - (Date.now() - since), () => {
        void this.terminate();
        return timeoutFailure(initLimitMs, this.source.label, 'while loading');
      });
    }
    return new Promise<string>((resolve, reject) => {
      message.context.deadline = Date.now() + timeoutMs;
      const timer = setTimeout(() => {
        const current = this.current;
        this.current = undefined;
        void this.terminate();
        current?.reject(timeoutFailure(timeoutMs, this.source.label));
      }, timeoutMs);
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
      this.current = { id: message.id, resolve: settle(resolve), reject: settle(reject) };
      this.worker.postMessage(message);
    });
  }

  /** Idle: the worker no longer keeps the process alive, and goes after a while. */
  rest(): void {
    this.worker.unref();
    this.idleTimer = setTimeout(() => void this.terminate(), IDLE_MS);
    this.idleTimer.unref();
  }

  async terminate(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.ending = true;
    if (this.gone) return;
    await this.worker.terminate();
  }

  private busy(): void {
    clearTimeout(this.idleTimer);
    this.worker.ref();
  }

  private receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'loading':
        this.onLoading(Date.now());
        return;
      case 'ready':
        this.loaded = true;
        this.onLoaded();
        return;
      case 'load-error': {
        const { root, source } = this;
        const error = fromSource(message.error, source);
        const missing = message.handlerMissing === true;
        this.fatal = error.name === 'SyntaxError' ? syntaxErrorPlace(source.file, root).then((place) => loadFailure(error, root, source.label, missing, place)) : loadFailure(error, root, source.label, missing);
        return;
      }
      case 'fatal':
        this.fatal = lambdaFailure(message.error, this.root, message.errorType);
        return;
      case 'done': {
        const current = this.current;
        if (!current || current.id !== message.id) return;
        this.current = undefined;
        if (message.ok) current.resolve(message.json);
        else current.reject(lambdaFailure(message.error, this.root));
      }
    }
  }

  private exited(code: number): void {
    this.gone = true;
    clearTimeout(this.idleTimer);
    const requestId = this.current?.id ?? '';
    const current = this.current;
    this.current = undefined;
    this.onGone();
    void Promise.resolve(
      this.fatal ??
        runtimeFailure(
          'Runtime.ExitError',
          `RequestId: ${requestId} Error: ${code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${code}`}`,
        ),
    ).then((failure) => {
      if (!this.loaded) this.onLoadFailed(failure);
      current?.reject(failure);
    });
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

function within(promise: Promise<void>, ms: number, onTimeout: () => TaskFailure): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function timeoutFailure(ms: number, label: string, phase = ''): TaskFailure {
  return new TaskFailure(StatesErrors.Timeout, `Task timed out after ${(ms / 1000).toFixed(2)} seconds${phase ? ` ${phase}` : ''} (${label}; timeoutSeconds of the function in deliv.yaml)`);
}

/** A failure of the runtime itself (no trace): Error = the type, Cause = Lambda's error JSON. */
function runtimeFailure(errorType: string, errorMessage: string): TaskFailure {
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage }));
}

/** A thrown error as Step Functions reports a Lambda function error: Error = its name, Cause = Lambda's error JSON. */
export function lambdaFailure(error: unknown, root?: string, errorTypeOverride?: string): TaskFailure {
  const err: ThrownError =
    error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : typeof error === 'object' && error !== null && 'message' in error ? (error as ThrownError) : { name: 'Error', message: String(error) };
  const errorType = errorTypeOverride ?? (err.name || 'Error');
  const trace = projectTrace(err.stack ?? `${errorType}: ${err.message}`, root);
  const errorMessage = esmRequireAdvice(root ? relativize(err.message, root) : err.message);
  return new TaskFailure(errorType, JSON.stringify({ errorMessage, errorType, trace }));
}

/** esbuild's words for require() in an ES module bundle, with why and what to do. */
function esmRequireAdvice(message: string): string {
  const required = /^Dynamic require of "([^"]+)" is not supported$/.exec(message);
  if (!required) return message;
  return `${message}: the handler is an ES module (an .mts file, or a .ts whose nearest package.json says "type": "module"), where require() does not exist. Import it instead (import ... from '${required[1]}'), or make the handler CommonJS (name it .cts, or set "type": "commonjs" in its package.json).`;
}

/**
 * A stack as Lambda shows it: the function's frames only (no frames of deliv
 * or of Node's internals), with paths relative to the project so that no
 * absolute path of the user's machine ends up in a history or a prompt.
 */
export function projectTrace(stack: string, root?: string): string[] {
  const lines: string[] = [];
  for (const line of stack.split('\n')) {
    if (/^\s+at /.test(line)) {
      const location = /\(([^()]+)\)\s*$/.exec(line)?.[1] ?? line.replace(/^\s+at\s+(async\s+)?/, '');
      if (/^node:/.test(location)) continue;
      const file = location.startsWith('file://') ? safeFilePath(location) : location;
      if (isDelivFile(file, root)) continue;
    }
    lines.push(root ? relativize(line, root) : line);
  }
  return lines;
}

function safeFilePath(url: string): string {
  try {
    return fileURLToPath(url.replace(/:\d+(:\d+)?$/, ''));
  } catch {
    return url;
  }
}

function isDelivFile(file: string, root: string | undefined): boolean {
  if (!file.startsWith(DELIV_ROOT)) return false;
  // A project kept inside deliv's own folder (its templates, its tests) still shows its own frames.
  return !(root && file.startsWith(root + path.sep) && !file.startsWith(path.join(root, 'node_modules') + path.sep));
}

/** Paths under the project become relative to it (file URLs too). */
export function relativize(text: string, root: string): string {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  const url = pathToFileURL(prefix).href;
  return text.split(url).join('').split(prefix).join('');
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** Where a syntax error is (`functions/x.js:3:7`): V8's SyntaxError from an import does not say, esbuild's parser does. */
async function syntaxErrorPlace(file: string, root: string): Promise<string | undefined> {
  const { build } = await import('esbuild');
  try {
    await build({ entryPoints: [file], absWorkingDir: root, bundle: true, write: false, packages: 'external', platform: 'node', format: 'esm', logLevel: 'silent' });
    return undefined;
  } catch (error) {
    const location = (error as { errors?: { location?: { file: string; line: number; column: number } | null }[] }).errors?.[0]?.location;
    return location ? `${relative(root, path.resolve(root, location.file))}:${location.line}:${location.column + 1}` : undefined;
  }
}

/** esbuild could not compile a TypeScript handler: a syntax error or an import that does not resolve, with its file and line. */
function compileFailure(error: unknown, root: string, label: string): TaskFailure {
  const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors?.[0];
  if (!first) return runtimeFailure('Runtime.UserCodeSyntaxError', `could not compile ${label}: ${(error as Error).message.split('\n')[0]}`);
  const where = first.location ? `${relative(root, path.resolve(root, first.location.file))}:${first.location.line}:${first.location.column + 1}` : label;
  if (/^Could not resolve/.test(first.text)) {
    return runtimeFailure('Runtime.ImportModuleError', `Error: ${first.text} (${where}). Fix the import path in ${where.split(':')[0]}; deliv loads the handler again on the next invocation.`);
  }
  return runtimeFailure('Runtime.UserCodeSyntaxError', `SyntaxError: ${first.text} (${where}). Fix the syntax error in ${where.split(':')[0]}; deliv loads the handler again on the next invocation.`);
}

/**
 * A load error as the user's own file says it: a TypeScript handler runs as
 * deliv's compiled copy in its cache, which Node names as the importer
 * ("imported from .deliv/cache/handlers/x-123.mjs"); that copy is the project's
 * `source.file`, the file to fix.
 */
function fromSource(error: ThrownError, source: Prepared): ThrownError {
  const compiled = source.moduleUrl.startsWith('file:') ? fileURLToPath(source.moduleUrl) : undefined;
  if (!compiled || compiled === source.file) return error;
  return { ...error, message: error.message.split(source.moduleUrl).join(source.file).split(compiled).join(source.file) };
}

/** The handler's module did not load: what is wrong, where, and what to do, in Lambda's error types. */
function loadFailure(error: ThrownError, root: string, label: string, handlerMissing: boolean, syntaxErrorPlace?: string): TaskFailure {
  if (handlerMissing) {
    return runtimeFailure(
      'Runtime.HandlerNotFound',
      `${label.replace(/\.[^./]+$/, '')}.handler is undefined or not exported. Export a function named handler from ${label} (export const handler = async (event) => { ... }).`,
    );
  }
  const message = relativize(error.message, root);
  const missing = /Cannot find (package|module) '([^']+)'/.exec(error.message);
  // require() says `Cannot find module 'x'` (MODULE_NOT_FOUND) for a package and a path alike, then its require stack.
  const required = error.code === 'MODULE_NOT_FOUND' && missing !== null;
  if ((error.code === 'ERR_MODULE_NOT_FOUND' || required) && missing) {
    const what = missing[2];
    const message = relativize(error.message.split('\n')[0], root);
    if (missing[1] === 'package' || (required && !/^(\.|\/|[A-Za-z]:|file:)/.test(what))) {
      const name = what.startsWith('@') ? what.split('/').slice(0, 2).join('/') : what.split('/')[0];
      return runtimeFailure(
        'Runtime.ImportModuleError',
        `Error: ${message}. ${name} is not installed: run \`npm install\` in the project folder (${path.basename(root)}), or \`npm install ${name}\` if its package.json does not list it; deliv loads the handler again on the next invocation.`,
      );
    }
    return runtimeFailure('Runtime.ImportModuleError', `Error: ${message}. Fix the import path in ${label}; deliv loads the handler again on the next invocation.`);
  }
  if (error.name === 'SyntaxError') {
    const where = syntaxErrorPlace ?? label;
    return runtimeFailure('Runtime.UserCodeSyntaxError', `SyntaxError: ${message} (${where}). Fix the syntax error in ${where.split(':')[0]}; deliv loads the handler again on the next invocation.`);
  }
  return lambdaFailure(error, root);
}

