/**
 * Local Lambda: a function name resolves to the handler module deliv.yaml maps
 * it to. `.ts` modules are bundled with esbuild on first use (and again when
 * they change); `.js`/`.mjs` are imported as they are. The handler runs in the
 * emulator's process with a Lambda-like context; what it throws becomes the
 * Error/Cause Step Functions reports for a Lambda function error.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JsonValue } from '../asl/types.js';
import { TaskFailure } from '../engine/types.js';
import type { FunctionConfig } from '../project/config.js';
import type { Partition } from './arn.js';
import { StatesErrors } from '../asl/errors.js';

type Handler = (event: unknown, context: LambdaContext) => unknown;

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

export class LambdaHost {
  private readonly modules = new Map<string, { mtime: number; handler: Promise<Handler> }>();

  constructor(
    private readonly root: string,
    private readonly cacheDir: string,
    private readonly partition: Partition,
  ) {}

  async invoke(name: string, config: FunctionConfig, payload: unknown, signal: AbortSignal, qualifier = '$LATEST'): Promise<JsonValue> {
    const handler = await this.load(name, config);
    const timeoutMs = (config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const deadline = Date.now() + timeoutMs;
    const context: LambdaContext = {
      functionName: name,
      functionVersion: qualifier,
      invokedFunctionArn: `arn:aws:lambda:${this.partition.region}:${this.partition.account}:function:${name}`,
      memoryLimitInMB: String(config.memoryMB ?? 128),
      awsRequestId: crypto.randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/${new Date().toISOString().slice(0, 10)}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TaskFailure(StatesErrors.Timeout, `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds (function ${name}, timeoutSeconds in deliv.yaml)`)),
        timeoutMs,
      );
    });
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => handler(structuredClone(payload), context)), timedOut, aborted]);
      return (result === undefined ? null : JSON.parse(JSON.stringify(result))) as JsonValue;
    } catch (error) {
      if (error instanceof TaskFailure || signal.aborted) throw error;
      throw lambdaFailure(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private load(name: string, config: FunctionConfig): Promise<Handler> {
    const file = path.resolve(this.root, config.handler);
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      return Promise.reject(new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: the handler of \`${name}\` (${config.handler}) does not exist; fix functions.${name}.handler in deliv.yaml`));
    }
    const cached = this.modules.get(file);
    if (cached && cached.mtime === mtime) return cached.handler;
    const handler = this.importHandler(name, file, mtime);
    this.modules.set(file, { mtime, handler });
    handler.catch(() => this.modules.delete(file));
    return handler;
  }

  private async importHandler(name: string, file: string, mtime: number): Promise<Handler> {
    let url = `${pathToFileURL(file).href}?mtime=${mtime}`;
    if (/\.(c|m)?tsx?$/.test(file)) {
      const { build } = await import('esbuild');
      mkdirSync(this.cacheDir, { recursive: true });
      const outfile = path.join(this.cacheDir, `${name}-${Math.round(mtime)}.mjs`);
      try {
        await build({ entryPoints: [file], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', sourcemap: 'inline', logLevel: 'silent' });
      } catch (error) {
        throw new TaskFailure('Lambda.InvalidRuntimeException', `could not compile ${path.relative(this.root, file)}: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`);
      }
      url = pathToFileURL(outfile).href;
    }
    const module = (await import(url)) as { handler?: unknown; default?: { handler?: unknown } };
    const handler = module.handler ?? module.default?.handler;
    if (typeof handler !== 'function') {
      throw new TaskFailure('Runtime.HandlerNotFound', `${path.relative(this.root, file)}.handler is undefined or not exported`);
    }
    return handler as Handler;
  }
}

/** A thrown error as Step Functions reports a Lambda function error: Error = its name, Cause = Lambda's error JSON. */
export function lambdaFailure(error: unknown): TaskFailure {
  const err = error instanceof Error ? error : new Error(String(error));
  const errorType = err.name || 'Error';
  const trace = (err.stack ?? `${errorType}: ${err.message}`).split('\n');
  return new TaskFailure(errorType, JSON.stringify({ errorMessage: err.message, errorType, trace }));
}
