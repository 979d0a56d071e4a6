/**
 * One running emulator: the store, the engine runtime, the task runner and the
 * HTTP server, wired together. `startEmulator` is what `deliv local start`
 * and the tests call; `stop()` shuts it down cleanly (running executions stay
 * RUNNING in the store and resume on the next start).
 */
import { ActivityBroker } from './activities.js';
import { MapRuns } from './map-runs.js';
import { insideProject } from '../project/confine.js';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { EmulatorContext } from './context.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws/clients.js';
import type { FunctionConfig, ProjectConfig } from '../project/config.js';
import { parseProjectConfig, PROJECT_FILE } from '../project/config.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Partition } from './arn.js';
import { realClock } from '../engine/index.js';
import { createPager } from './api/paging.js';
import { MachineCache } from './engine.js';
import { LambdaHost } from './lambda.js';
import { LogStore } from './log-store.js';
import { MockFile } from './mocks.js';
import { confinedDataDir } from './paths.js';
import { Runtime } from './runtime.js';
import { createServer } from './server.js';
import { Store } from './store.js';
import { LocalTaskRunner, type NestedExecutions } from './tasks.js';
import { taskTokenKey, TokenBroker } from './tokens.js';

export interface EmulatorOptions {
  /** The project folder (deliv.yaml, handlers, mocks); the cwd when outside a project. */
  root: string;
  dataDir?: string;
  port?: number;
  host?: string;
  /** Wait/retry durations are multiplied by this in real time (0 = instant). */
  timeScale?: number;
  region?: string;
  account?: string;
  /** Called once per request with a one-line summary (`--verbose`). */
  log?: (line: string) => void;
}

export interface RunningEmulator {
  context: EmulatorContext;
  server: Server;
  port: number;
  host: string;
  endpoint: string;
  resumed: number;
  /** Executions failed at this start instead of resumed (poison: their resume kept crashing the emulator). */
  quarantined: number;
  stop(): Promise<void>;
}

/** How long a stop waits for handler calls under way (`deliv local stop` kills after 10 s). */
const DRAIN_MS = 3000;

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const root = path.resolve(options.root);
  const dataDir = confinedDataDir(root, path.resolve(root, options.dataDir ?? '.deliv'));
  const partition: Partition = { region: options.region ?? LOCAL_REGION, account: options.account ?? LOCAL_ACCOUNT };
  const store = new Store(dataDir);
  const project = projectReader(root);
  // `deliv test --target local` writes its cases beside the store.
  const mocks = new MockFile(project.mocksFile(), [path.join(dataDir, 'test-mocks.json')], root);
  const machines = MachineCache.create();
  const clock = realClock(options.timeScale ?? 1, { unref: true });
  const tokens = new TokenBroker(store);
  const activities = new ActivityBroker(store, tokens);
  const lambda = new LambdaHost(root, path.join(dataDir, 'cache', 'handlers'), partition, () => context.endpoint);
  // The nested-execution bridge is filled in by the API once it exists (it starts executions as StartExecution does).
  const nested: NestedExecutions = {
    start: () => {
      throw new Error('emulator not started');
    },
    waitFor: (arn, signal) => runtime.waitFor(arn, signal),
    stop: (arn) => void runtime.stop(arn),
  };
  const runner = new LocalTaskRunner({
    root,
    functions: () => project.functions(),
    mocks,
    lambda,
    tokens,
    activities,
    nested,
    executionInfo: (arn) => {
      const row = store.getExecution(arn);
      if (!row) return undefined;
      return { machineName: row.machineName, testCase: mocks.testCaseFor(row.machineName, row.testCase) };
    },
  });
  const logs = new LogStore(store);
  const mapRuns = new MapRuns(store, clock);
  const runtime = new Runtime(store, machines, runner, clock, taskTokenKey(store.pagingSecret), logs, mapRuns);
  const context: EmulatorContext = { store, logs, runtime, machines, tokens, activities, mapRuns, mocks, partition, clock, root, dataDir, startedAt: Date.now(), endpoint: '', nested, pager: createPager(store.pagingSecret) };
  const host = options.host ?? '127.0.0.1';
  const server = createServer(context, { host, log: options.log });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  context.endpoint = endpoint;
  setHandlerEnvironment(endpoint, partition);
  const resumed = runtime.resumeAll();
  const quarantined = runtime.quarantinedAtStart;
  let stopped = false;
  return {
    context,
    server,
    port,
    host,
    endpoint,
    resumed,
    quarantined,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Handler calls under way finish and are recorded (the server still answers their SDK calls);
      // waits and callbacks are state in the history, so nothing else is waited for.
      await runner.drain(DRAIN_MS);
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      runtime.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lambda.close();
      store.close();
    },
  };
}

/** Handlers written for AWS find the emulator through the standard SDK environment (PREAMBLE decision 2). */
function setHandlerEnvironment(endpoint: string, partition: Partition): void {
  process.env.AWS_ENDPOINT_URL_SFN = endpoint;
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = endpoint;
  process.env.AWS_REGION ??= partition.region;
  process.env.AWS_DEFAULT_REGION ??= partition.region;
  process.env.AWS_ACCESS_KEY_ID ??= 'deliv-local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'deliv-local';
}

/** deliv.yaml as it is now: the functions and mocks mapping are re-read when the file changes. */
function projectReader(root: string) {
  const file = path.join(root, PROJECT_FILE);
  let cached: { mtime: number; config: ProjectConfig } | undefined;
  const current = (): ProjectConfig | undefined => {
    if (!existsSync(file)) return undefined;
    const mtime = statSync(file).mtimeMs;
    // Named as the project knows it (deliv.yaml): messages end up in histories and prompts, where absolute paths do not belong.
    if (!cached || cached.mtime !== mtime) cached = { mtime, config: parseProjectConfig(readFileSync(file, 'utf8'), file, PROJECT_FILE) };
    return cached.config;
  };
  return {
    functions: (): Record<string, FunctionConfig> => current()?.functions ?? {},
    mocksFile: (): string | undefined => {
      const mocks = current()?.mocks;
      if (mocks) return insideProject(root, mocks);
      const conventional = path.join(root, 'mocks', 'MockConfigFile.json');
      return existsSync(conventional) ? conventional : process.env.SFN_MOCK_CONFIG;
    },
  };
}
