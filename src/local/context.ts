/**
 * What every API handler is given: the emulator's store, runtime, caches and
 * identity. A module of its own so that handlers, the server and the emulator
 * that builds it depend on it and not on each other.
 */
import type { Clock } from '../engine/types.js';
import type { ActivityBroker } from './activities.js';
import type { Pager } from './api/paging.js';
import type { Partition } from './arn.js';
import type { MachineCache } from './engine.js';
import type { LogStore } from './log-store.js';
import type { MapRuns } from './map-runs.js';
import type { MockFile } from './mocks.js';
import type { Runtime } from './runtime.js';
import type { Store } from './store.js';
import type { NestedExecutions } from './tasks.js';
import type { TokenBroker } from './tokens.js';

export interface EmulatorContext {
  store: Store;
  /** CloudWatch Logs: the log groups machines log their executions to. */
  logs: LogStore;
  runtime: Runtime;
  machines: MachineCache;
  tokens: TokenBroker;
  /** Activity tasks waiting for a worker (GetActivityTask). */
  activities: ActivityBroker;
  /** Distributed Maps' Map Runs (ListMapRuns, DescribeMapRun, UpdateMapRun). */
  mapRuns: MapRuns;
  mocks: MockFile;
  partition: Partition;
  clock: Clock;
  root: string;
  dataDir: string;
  startedAt: number;
  /** Set once the server listens. */
  endpoint: string;
  nested: NestedExecutions;
  /** Keyset page tokens, signed with the store's key. */
  pager: Pager;
}
