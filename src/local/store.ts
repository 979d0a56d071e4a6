/**
 * The emulator's durable state in SQLite (WAL): machines, versions, aliases,
 * executions, their history, task tokens and tags.
 *
 * Group commit: the first write of an event-loop turn opens a transaction,
 * every write until the end of that turn (history events of all running
 * executions, new executions, finishes) joins it, and it commits once in the
 * check phase. The HTTP layer answers a request only after the batch holding
 * its writes has committed (`committed()`), so nothing acknowledged is lost,
 * while a turn serving 50 requests pays for one commit instead of 150. A crash
 * loses at most the uncommitted turn: unacknowledged requests and the events
 * of tasks still finishing (they run again on resume).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryEvent } from '../engine/types.js';

export interface MachineRow {
  arn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: string;
  roleArn: string;
  description: string;
  loggingConfiguration: string;
  tracingConfiguration: string;
  revisionId: string;
  created: number;
  updated: number;
}

export interface VersionRow {
  arn: string;
  machineArn: string;
  version: number;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  description: string;
  revisionId: string;
  created: number;
}

export interface RoutingEntry {
  stateMachineVersionArn: string;
  weight: number;
}

export interface AliasRow {
  arn: string;
  machineArn: string;
  name: string;
  description: string;
  routing: RoutingEntry[];
  created: number;
  updated: number;
}

export type ExecutionStatusName = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionRow {
  arn: string;
  machineArn: string;
  machineName: string;
  versionArn: string | null;
  aliasArn: string | null;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  status: ExecutionStatusName;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  started: number;
  stopped: number | null;
  definition: string;
  roleArn: string;
  revisionId: string;
  traceHeader: string | null;
  testCase: string | null;
  redriveCount: number;
  redriveDate: number | null;
  /** The execution that started this one through `states:startExecution`, if any. */
  parentArn: string | null;
}

export interface ExecutionFilter {
  machineArn: string;
  versionArn?: string;
  aliasArn?: string;
  status?: string;
  redriven?: boolean;
}

/** What ListExecutions shows of an execution, and `seq`, its place in insertion order (the tie-break of the page key). */
export type ExecutionListRow = Pick<ExecutionRow, 'arn' | 'machineArn' | 'name' | 'status' | 'started' | 'stopped' | 'versionArn' | 'aliasArn' | 'redriveCount' | 'redriveDate'> & { seq: number };

const EXECUTION_LIST_COLUMNS = 'arn, machineArn, name, status, started, stopped, versionArn, aliasArn, redriveCount, redriveDate';

export interface TokenRow {
  token: string;
  executionArn: string;
  stateName: string;
  /** Identifies the waiting task across a restart: the same task asks again for the same slot. */
  slot: string;
  status: 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'CONSUMED';
  output: string | null;
  error: string | null;
  cause: string | null;
  created: number;
  heartbeat: number | null;
}

/**
 * The schema, one migration per change, applied in order and recorded in
 * `PRAGMA user_version`, so a data dir written by an earlier deliv opens (and
 * is brought forward) instead of being wiped. Every table added by any part
 * of the emulator goes here as a new entry; an entry never changes once it is
 * on main. A store newer than this code is refused rather than guessed at.
 */
interface Migration {
  version: number;
  up(db: Database.Database): void;
}

/** The schema before migrations were numbered (user_version 0): idempotent, so it also opens stores of that era. */
const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS machines (
  arn TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT NOT NULL, roleArn TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', loggingConfiguration TEXT NOT NULL, tracingConfiguration TEXT NOT NULL,
  revisionId TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL, nextVersion INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS versions (
  arn TEXT PRIMARY KEY, machineArn TEXT NOT NULL, version INTEGER NOT NULL, definition TEXT NOT NULL, roleArn TEXT NOT NULL,
  type TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', revisionId TEXT NOT NULL, created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_machine ON versions (machineArn, version);
CREATE TABLE IF NOT EXISTS aliases (
  arn TEXT PRIMARY KEY, machineArn TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
  routing TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
  arn TEXT PRIMARY KEY, machineArn TEXT NOT NULL, machineName TEXT NOT NULL, versionArn TEXT, aliasArn TEXT,
  name TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT,
  started INTEGER NOT NULL, stopped INTEGER, definition TEXT NOT NULL, roleArn TEXT NOT NULL, revisionId TEXT NOT NULL,
  traceHeader TEXT, testCase TEXT, redriveCount INTEGER NOT NULL DEFAULT 0, redriveDate INTEGER, parentArn TEXT
);
CREATE INDEX IF NOT EXISTS executions_machine ON executions (machineArn, started DESC);
DROP INDEX IF EXISTS executions_status;
CREATE INDEX IF NOT EXISTS executions_running ON executions (started) WHERE status = 'RUNNING';
DROP INDEX IF EXISTS executions_name;
CREATE TABLE IF NOT EXISTS history (
  executionArn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, engineId INTEGER, PRIMARY KEY (executionArn, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
  token TEXT PRIMARY KEY, executionArn TEXT NOT NULL, stateName TEXT NOT NULL, slot TEXT NOT NULL, status TEXT NOT NULL,
  output TEXT, error TEXT, cause TEXT, created INTEGER NOT NULL, heartbeat INTEGER
);
CREATE INDEX IF NOT EXISTS tokens_slot ON tokens (slot);
CREATE INDEX IF NOT EXISTS tokens_status ON tokens (status);
CREATE INDEX IF NOT EXISTS tokens_execution ON tokens (executionArn);
CREATE TABLE IF NOT EXISTS tags (
  resourceArn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (resourceArn, key)
) WITHOUT ROWID;
`;

const MIGRATIONS: Migration[] = [
  { version: 1, up: (db) => db.exec(SCHEMA_V1) },
  {
    // Keyset paging: ListExecutions' status filter and order from one index; the signing key of page tokens.
    version: 2,
    up: (db) => {
      // Ascending, so that a backward scan yields (started DESC, rowid DESC), the page order, with no sort.
      db.exec(`
        DROP INDEX IF EXISTS executions_machine;
        CREATE INDEX executions_machine ON executions (machineArn, started);
        CREATE INDEX IF NOT EXISTS executions_machine_status ON executions (machineArn, status, started);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      `);
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('pagingSecret', ?)").run(randomBytes(32));
    },
  },
  {
    // CloudWatch Logs (log-store.ts): the log groups machines log their executions to, their streams and events.
    version: 3,
    up: (db) =>
      db.exec(`
        CREATE TABLE log_groups (
          name TEXT PRIMARY KEY, created INTEGER NOT NULL, retentionInDays INTEGER, logGroupClass TEXT NOT NULL DEFAULT 'STANDARD'
        ) WITHOUT ROWID;
        CREATE TABLE log_streams (
          groupName TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL, firstEvent INTEGER, lastEvent INTEGER,
          lastIngestion INTEGER, storedBytes INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (groupName, name)
        ) WITHOUT ROWID;
        CREATE TABLE log_events (
          seq INTEGER PRIMARY KEY, groupName TEXT NOT NULL, streamName TEXT NOT NULL, timestamp INTEGER NOT NULL,
          ingestion INTEGER NOT NULL, message TEXT NOT NULL
        );
        CREATE INDEX log_events_group ON log_events (groupName, timestamp, seq);
        CREATE INDEX log_events_stream ON log_events (groupName, streamName, timestamp, seq);
      `),
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

function migrate(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`${file} was written by a newer deliv (store schema ${current}, this deliv knows ${SCHEMA_VERSION}): upgrade deliv, or pass another --data-dir`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

export const DATABASE_FILE = 'emulator.db';

/** History events are stored as JSON with the timestamp in epoch milliseconds. */
function encodeEvent(event: HistoryEvent): string {
  // A shallow copy, not a replacer: a replacer function is called for every key of every event.
  const timestamp = event.timestamp as Date | string | number | undefined;
  return JSON.stringify({ ...event, timestamp: timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'string' ? Date.parse(timestamp) : timestamp });
}

function decodeEvent(text: string): HistoryEvent {
  const event = JSON.parse(text) as HistoryEvent & { timestamp: number | Date };
  event.timestamp = new Date(event.timestamp as number);
  return event;
}

export class Store {
  readonly db: Database.Database;
  /** Signs page tokens (api/paging.ts); kept in the store so tokens survive a restart. */
  readonly pagingSecret: Buffer;
  private deferred: (() => void)[] = [];
  private batchOpen = false;
  private commitWaiters: { resolve(): void; reject(error: unknown): void }[] = [];
  private readonly statements;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, DATABASE_FILE));
    this.db.pragma('journal_mode = WAL');
    // WAL with NORMAL sync survives a process crash (kill -9) with every commit intact: a commit
    // is in the WAL file (the OS page cache) when COMMIT returns. Only a power loss or kernel crash
    // can drop the last commits before a checkpoint syncs them; FULL would fsync every commit for that.
    this.db.pragma('synchronous = NORMAL');
    // Checkpoints (the only fsyncs under NORMAL) every ~64 MiB of WAL instead of 4 MiB: the same hot
    // pages (executions, indexes) are rewritten by every commit and a checkpoint copies each once, so
    // 16× fewer checkpoints cut the event-loop stalls they cause by ~5× (bench/local.ts) for 60 MiB of disk.
    this.db.pragma('wal_autocheckpoint = 16000');
    // One emulator per data dir: a second process cannot even read the database.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('busy_timeout = 0');
    migrate(this.db, path.join(dataDir, DATABASE_FILE));
    this.pagingSecret = (this.db.prepare("SELECT value FROM meta WHERE key = 'pagingSecret'").get() as { value: Buffer }).value;
    const db = this.db;
    this.statements = {
      begin: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      insertEvent: db.prepare('INSERT OR REPLACE INTO history (executionArn, id, event, engineId) VALUES (?, ?, ?, ?)'),
      getMachine: db.prepare('SELECT * FROM machines WHERE arn = ?'),
      getVersion: db.prepare('SELECT * FROM versions WHERE arn = ?'),
      getAlias: db.prepare('SELECT * FROM aliases WHERE arn = ?'),
      getExecution: db.prepare('SELECT * FROM executions WHERE arn = ?'),
      insertExecution: db.prepare(`INSERT INTO executions (arn, machineArn, machineName, versionArn, aliasArn, name, type, status, input,
        output, error, cause, started, stopped, definition, roleArn, revisionId, traceHeader, testCase, redriveCount, redriveDate, parentArn)
        VALUES (@arn, @machineArn, @machineName, @versionArn, @aliasArn, @name, @type, @status, @input, @output, @error, @cause, @started,
        @stopped, @definition, @roleArn, @revisionId, @traceHeader, @testCase, @redriveCount, @redriveDate, @parentArn)`),
      finishExecution: db.prepare('UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stopped = ? WHERE arn = ?'),
      history: db.prepare('SELECT event FROM history WHERE executionArn = ? ORDER BY id'),
      historyAfter: db.prepare('SELECT event FROM history WHERE executionArn = ? AND id > ? ORDER BY id LIMIT ?'),
      historyBefore: db.prepare('SELECT event FROM history WHERE executionArn = ? AND id < ? ORDER BY id DESC LIMIT ?'),
      getToken: db.prepare('SELECT * FROM tokens WHERE token = ?'),
      consumeTokens: db.prepare("UPDATE tokens SET status = 'CONSUMED' WHERE executionArn = ? AND status = 'WAITING'"),
    };
    this.inTransaction = db.transaction((work: () => unknown) => work());
    db.exec('BEGIN IMMEDIATE; COMMIT');
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  /** One wrapper made once: better-sqlite3 prepares BEGIN/COMMIT each time a wrapper is made. */
  private readonly inTransaction: (work: () => unknown) => unknown;

  /** Atomic work: all or nothing (a savepoint inside this turn's batch), committed with the batch. */
  transaction<T>(work: () => T): T {
    this.openBatch();
    return this.inTransaction(work) as T;
  }

  // ---- group commit ----------------------------------------------------------------------

  private openBatch(): void {
    if (this.batchOpen) return;
    this.statements.begin.run();
    this.batchOpen = true;
    // Check phase: after the I/O callbacks and promise reactions of this turn have written.
    setImmediate(this.commitBatch);
  }

  private readonly commitBatch = (): void => {
    if (!this.batchOpen) return;
    this.batchOpen = false;
    const waiters = this.commitWaiters;
    const writes = this.deferred;
    this.commitWaiters = [];
    this.deferred = [];
    let failure: unknown;
    try {
      if (this.db.open) {
        for (const write of writes) write();
        // An I/O error may already have rolled the transaction back.
        if (this.db.inTransaction) this.statements.commit.run();
      }
    } catch (error) {
      failure = error;
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    }
    for (const waiter of waiters) {
      if (failure === undefined) waiter.resolve();
      else waiter.reject(failure);
    }
  };

  /** Resolves once every write made so far is committed (at once when none is pending). */
  committed(): Promise<void> {
    if (!this.batchOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.commitWaiters.push({ resolve, reject }));
  }

  /** Commits the open batch now (shutdown). */
  flush(): void {
    this.commitBatch();
  }

  // ---- history ---------------------------------------------------------------------------

  /**
   * Writes an event into this turn's batch. `engineId` is the id the engine
   * gave it when that differs from the stored one (after a redrive).
   */
  appendEvent(executionArn: string, event: HistoryEvent, engineId: number | null = null): void {
    this.openBatch();
    this.statements.insertEvent.run(executionArn, event.id, encodeEvent(event), engineId);
  }

  /** Runs a write just before this turn's batch commits, atomically with the events written in this turn. */
  defer(write: () => void): void {
    this.openBatch();
    this.deferred.push(write);
  }

  /** One page of a history: the `limit` events after event `after` (before it, newest first, in reverse), decoding only those. */
  historyPage(executionArn: string, after: number | undefined, limit: number, reverse: boolean): HistoryEvent[] {
    const statement = reverse ? this.statements.historyBefore : this.statements.historyAfter;
    const rows = statement.all(executionArn, after ?? (reverse ? Number.MAX_SAFE_INTEGER : 0), limit) as { event: string }[];
    return rows.map((row) => decodeEvent(row.event));
  }

  history(executionArn: string): HistoryEvent[] {
    return (this.statements.history.all(executionArn) as { event: string }[]).map((row) => decodeEvent(row.event));
  }

  /**
   * The history as the engine knows it: after a redrive, the events of the
   * failed attempt stay in the stored history but leave the engine's view, and
   * the engine's own ids map to stored ids.
   */
  engineView(executionArn: string): { events: HistoryEvent[]; engineToStored: Map<number, number>; maxStored: number } {
    const rows = this.db.prepare('SELECT id, event, engineId FROM history WHERE executionArn = ? ORDER BY id').all(executionArn) as { id: number; event: string; engineId: number | null }[];
    const engineToStored = new Map<number, number>();
    const storedToEngine = new Map<number, number>();
    const kept: { engineId: number; event: HistoryEvent }[] = [];
    let maxStored = 0;
    for (const row of rows) {
      maxStored = Math.max(maxStored, row.id);
      if (row.engineId === 0) continue;
      const engineId = row.engineId ?? row.id;
      engineToStored.set(engineId, row.id);
      storedToEngine.set(row.id, engineId);
      kept.push({ engineId, event: decodeEvent(row.event) });
    }
    const events = kept
      .map(({ engineId, event }) => ({ ...event, id: engineId, previousEventId: storedToEngine.get(event.previousEventId ?? 0) ?? event.previousEventId }))
      .sort((a, b) => a.id - b.id);
    return { events, engineToStored, maxStored };
  }

  /** Takes the events after engine id `lastKept` out of the engine's view (they stay in the history). */
  retireEvents(executionArn: string, lastKept: number): void {
    this.db.prepare('UPDATE history SET engineId = 0 WHERE executionArn = ? AND COALESCE(engineId, id) > ?').run(executionArn, lastKept);
  }

  // ---- machines, versions, aliases ---------------------------------------------------------

  getMachine(arn: string): MachineRow | undefined {
    return this.statements.getMachine.get(arn) as MachineRow | undefined;
  }

  putMachine(row: MachineRow): void {
    this.db
      .prepare(`INSERT INTO machines (arn, name, type, definition, roleArn, description, loggingConfiguration, tracingConfiguration, revisionId, created, updated)
        VALUES (@arn, @name, @type, @definition, @roleArn, @description, @loggingConfiguration, @tracingConfiguration, @revisionId, @created, @updated)
        ON CONFLICT (arn) DO UPDATE SET definition = @definition, roleArn = @roleArn, description = @description,
        loggingConfiguration = @loggingConfiguration, tracingConfiguration = @tracingConfiguration, revisionId = @revisionId, updated = @updated`)
      .run(row);
  }

  /** One page of machines by name, after the name `after`. */
  listMachinesPage(after: string | undefined, limit: number): MachineRow[] {
    return this.db.prepare('SELECT * FROM machines WHERE name > ? ORDER BY name LIMIT ?').all(after ?? '', limit) as MachineRow[];
  }

  listMachines(): MachineRow[] {
    return this.db.prepare('SELECT * FROM machines ORDER BY name').all() as MachineRow[];
  }

  deleteMachine(arn: string): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM machines WHERE arn = ?').run(arn);
      this.db.prepare('DELETE FROM versions WHERE machineArn = ?').run(arn);
      this.db.prepare('DELETE FROM aliases WHERE machineArn = ?').run(arn);
      this.db.prepare('DELETE FROM tags WHERE resourceArn = ?').run(arn);
    });
  }

  /** Reserves the next version number of a machine (numbers are never reused). */
  nextVersionNumber(machineArn: string): number {
    const row = this.db.prepare('UPDATE machines SET nextVersion = nextVersion + 1 WHERE arn = ? RETURNING nextVersion - 1 AS n').get(machineArn) as { n: number };
    return row.n;
  }

  getVersion(arn: string): VersionRow | undefined {
    return this.statements.getVersion.get(arn) as VersionRow | undefined;
  }

  putVersion(row: VersionRow): void {
    this.db
      .prepare(`INSERT INTO versions (arn, machineArn, version, definition, roleArn, type, description, revisionId, created)
        VALUES (@arn, @machineArn, @version, @definition, @roleArn, @type, @description, @revisionId, @created)`)
      .run(row);
  }

  /** One page of a machine's versions, newest first, after version number `after`. */
  listVersionsPage(machineArn: string, after: number | undefined, limit: number): VersionRow[] {
    return this.db
      .prepare('SELECT * FROM versions WHERE machineArn = ? AND version < ? ORDER BY version DESC LIMIT ?')
      .all(machineArn, after ?? Number.MAX_SAFE_INTEGER, limit) as VersionRow[];
  }

  listVersions(machineArn: string): VersionRow[] {
    return this.db.prepare('SELECT * FROM versions WHERE machineArn = ? ORDER BY version DESC').all(machineArn) as VersionRow[];
  }

  deleteVersion(arn: string): void {
    this.db.prepare('DELETE FROM versions WHERE arn = ?').run(arn);
  }

  getAlias(arn: string): AliasRow | undefined {
    const row = this.statements.getAlias.get(arn) as (Omit<AliasRow, 'routing'> & { routing: string }) | undefined;
    return row && { ...row, routing: JSON.parse(row.routing) as RoutingEntry[] };
  }

  putAlias(row: AliasRow): void {
    this.db
      .prepare(`INSERT INTO aliases (arn, machineArn, name, description, routing, created, updated)
        VALUES (@arn, @machineArn, @name, @description, @routing, @created, @updated)
        ON CONFLICT (arn) DO UPDATE SET description = @description, routing = @routing, updated = @updated`)
      .run({ ...row, routing: JSON.stringify(row.routing) });
  }

  /** One page of a machine's aliases by name, after the name `after`. */
  listAliasesPage(machineArn: string, after: string | undefined, limit: number): AliasRow[] {
    const rows = this.db.prepare('SELECT * FROM aliases WHERE machineArn = ? AND name > ? ORDER BY name LIMIT ?').all(machineArn, after ?? '', limit) as (Omit<AliasRow, 'routing'> & { routing: string })[];
    return rows.map((row) => ({ ...row, routing: JSON.parse(row.routing) as RoutingEntry[] }));
  }

  listAliases(machineArn: string): AliasRow[] {
    const rows = this.db.prepare('SELECT * FROM aliases WHERE machineArn = ? ORDER BY name').all(machineArn) as (Omit<AliasRow, 'routing'> & { routing: string })[];
    return rows.map((row) => ({ ...row, routing: JSON.parse(row.routing) as RoutingEntry[] }));
  }

  deleteAlias(arn: string): void {
    this.db.prepare('DELETE FROM aliases WHERE arn = ?').run(arn);
  }

  // ---- executions ------------------------------------------------------------------------

  getExecution(arn: string): ExecutionRow | undefined {
    return this.statements.getExecution.get(arn) as ExecutionRow | undefined;
  }

  insertExecution(row: ExecutionRow): void {
    this.statements.insertExecution.run(row);
  }

  /** Records the end of an execution together with its last events, in one commit. */
  finishExecution(arn: string, result: { status: ExecutionStatusName; output?: string | null; error?: string | null; cause?: string | null; stopped: number }): void {
    this.transaction(() => {
      this.statements.finishExecution.run(result.status, result.output ?? null, result.error ?? null, result.cause ?? null, result.stopped, arn);
      this.statements.consumeTokens.run(arn);
    });
  }

  markRedriven(arn: string, redriveDate: number): void {
    this.db
      .prepare("UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped = NULL, redriveCount = redriveCount + 1, redriveDate = ? WHERE arn = ?")
      .run(redriveDate, arn);
  }

  /** A STANDARD execution's ARN follows from its machine's and its own name: the primary key finds it, no index by name to keep up. */
  findExecutionByName(machineArn: string, name: string): ExecutionRow | undefined {
    const row = this.getExecution(`${machineArn.replace(':stateMachine:', ':execution:')}:${name}`);
    return row && row.machineArn === machineArn && row.type === 'STANDARD' ? row : undefined;
  }

  /**
   * One page of ListExecutions, newest first: the rows after `after` (the
   * `[started, seq]` of the last row of the previous page) in the order of the
   * machine's index, `limit` of them, and only the columns the list shows
   * (never the input, output or definition).
   */
  listExecutionsPage(filter: ExecutionFilter, after: readonly [number, number] | undefined, limit: number): ExecutionListRow[] {
    const where = ['machineArn = ?'];
    const args: unknown[] = [filter.machineArn];
    const equal = { versionArn: filter.versionArn, aliasArn: filter.aliasArn, status: filter.status };
    for (const [column, value] of Object.entries(equal)) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    if (filter.redriven !== undefined) where.push(filter.redriven ? 'redriveCount > 0' : 'redriveCount = 0');
    if (after) {
      where.push('(started, rowid) < (?, ?)');
      args.push(after[0], after[1]);
    }
    const sql = `SELECT rowid AS seq, ${EXECUTION_LIST_COLUMNS} FROM executions WHERE ${where.join(' AND ')} ORDER BY started DESC, rowid DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, limit) as ExecutionListRow[];
  }

  runningExecutions(): ExecutionRow[] {
    return this.db.prepare("SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY started").all() as ExecutionRow[];
  }

  countExecutions(status?: string): number {
    const row = (status
      ? this.db.prepare('SELECT COUNT(*) AS n FROM executions WHERE status = ?').get(status)
      : this.db.prepare('SELECT COUNT(*) AS n FROM executions').get()) as { n: number };
    return row.n;
  }

  // ---- task tokens -----------------------------------------------------------------------

  getToken(token: string): TokenRow | undefined {
    return this.statements.getToken.get(token) as TokenRow | undefined;
  }

  insertToken(row: TokenRow): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO tokens (token, executionArn, stateName, slot, status, output, error, cause, created, heartbeat)
        VALUES (@token, @executionArn, @stateName, @slot, @status, @output, @error, @cause, @created, @heartbeat)`)
      .run(row);
  }

  answerToken(token: string, answer: { status: 'SUCCEEDED' | 'FAILED' | 'CONSUMED'; output?: string | null; error?: string | null; cause?: string | null }): void {
    this.db
      .prepare('UPDATE tokens SET status = ?, output = ?, error = ?, cause = ? WHERE token = ?')
      .run(answer.status, answer.output ?? null, answer.error ?? null, answer.cause ?? null, token);
  }

  heartbeatToken(token: string, at: number): void {
    this.db.prepare('UPDATE tokens SET heartbeat = ? WHERE token = ?').run(at, token);
  }

  tokensForSlot(slot: string): TokenRow[] {
    return this.db.prepare('SELECT * FROM tokens WHERE slot = ? ORDER BY created').all(slot) as TokenRow[];
  }

  waitingTokens(): TokenRow[] {
    return this.db.prepare("SELECT * FROM tokens WHERE status = 'WAITING' ORDER BY created").all() as TokenRow[];
  }

  // ---- tags ------------------------------------------------------------------------------

  tags(resourceArn: string): { key: string; value: string }[] {
    return this.db.prepare('SELECT key, value FROM tags WHERE resourceArn = ? ORDER BY key').all(resourceArn) as { key: string; value: string }[];
  }

  tag(resourceArn: string, tags: { key: string; value: string }[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO tags (resourceArn, key, value) VALUES (?, ?, ?)');
    this.transaction(() => {
      for (const { key, value } of tags) insert.run(resourceArn, key, value);
    });
  }

  untag(resourceArn: string, keys: string[]): void {
    const remove = this.db.prepare('DELETE FROM tags WHERE resourceArn = ? AND key = ?');
    this.transaction(() => {
      for (const key of keys) remove.run(resourceArn, key);
    });
  }
}
