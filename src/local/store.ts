/**
 * The emulator's durable state in SQLite (WAL): machines, versions, aliases,
 * executions, their history, task tokens and tags. Whatever the API has
 * acknowledged is committed before the response leaves; history events are
 * batched into one transaction per event-loop tick, so a crash loses at most
 * the events of a task that was still in flight (it runs again on resume).
 */
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

const SCHEMA = `
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
CREATE INDEX IF NOT EXISTS executions_status ON executions (status);
CREATE INDEX IF NOT EXISTS executions_name ON executions (machineArn, name);
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

export const DATABASE_FILE = 'emulator.db';

/** History events are stored as JSON with the timestamp in epoch milliseconds. */
function encodeEvent(event: HistoryEvent): string {
  return JSON.stringify(event, (key, value) => (key === 'timestamp' && typeof value === 'string' ? Date.parse(value) : value));
}

function decodeEvent(text: string): HistoryEvent {
  const event = JSON.parse(text) as HistoryEvent & { timestamp: number | Date };
  event.timestamp = new Date(event.timestamp as number);
  return event;
}

export class Store {
  readonly db: Database.Database;
  private pending: { arn: string; event: HistoryEvent; engineId: number | null }[] = [];
  private deferred: (() => void)[] = [];
  private flushScheduled = false;
  private readonly statements;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, DATABASE_FILE));
    this.db.pragma('journal_mode = WAL');
    // WAL with NORMAL sync survives a process crash (kill -9) with every commit intact.
    this.db.pragma('synchronous = NORMAL');
    // One emulator per data dir: a second process cannot even read the database.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('busy_timeout = 0');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
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
      getToken: db.prepare('SELECT * FROM tokens WHERE token = ?'),
      findExecutionByName: db.prepare("SELECT * FROM executions WHERE machineArn = ? AND name = ? AND type = 'STANDARD'"),
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

  transaction<T>(work: () => T): T {
    return this.inTransaction(work) as T;
  }

  // ---- history ---------------------------------------------------------------------------

  /**
   * Queues an event; it is committed with the others of this tick. `engineId`
   * is the id the engine gave it when that differs from the stored one (after a redrive).
   */
  appendEvent(executionArn: string, event: HistoryEvent, engineId: number | null = null): void {
    this.pending.push({ arn: executionArn, event, engineId });
    this.scheduleFlush();
  }

  /** Runs a write in the next history commit, atomically with the events of this tick. */
  defer(write: () => void): void {
    this.deferred.push(write);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if ((this.pending.length === 0 && this.deferred.length === 0) || !this.db.open) return;
    const batch = this.pending;
    const writes = this.deferred;
    this.pending = [];
    this.deferred = [];
    this.transaction(() => {
      for (const { arn, event, engineId } of batch) this.statements.insertEvent.run(arn, event.id, encodeEvent(event), engineId);
      for (const write of writes) write();
    });
  }

  history(executionArn: string): HistoryEvent[] {
    this.flush();
    return (this.statements.history.all(executionArn) as { event: string }[]).map((row) => decodeEvent(row.event));
  }

  /**
   * The history as the engine knows it: after a redrive, the events of the
   * failed attempt stay in the stored history but leave the engine's view, and
   * the engine's own ids map to stored ids.
   */
  engineView(executionArn: string): { events: HistoryEvent[]; engineToStored: Map<number, number>; maxStored: number } {
    this.flush();
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
      this.flush();
      this.statements.finishExecution.run(result.status, result.output ?? null, result.error ?? null, result.cause ?? null, result.stopped, arn);
      this.statements.consumeTokens.run(arn);
    });
  }

  markRedriven(arn: string, redriveDate: number): void {
    this.db
      .prepare("UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped = NULL, redriveCount = redriveCount + 1, redriveDate = ? WHERE arn = ?")
      .run(redriveDate, arn);
  }

  findExecutionByName(machineArn: string, name: string): ExecutionRow | undefined {
    return this.statements.findExecutionByName.get(machineArn, name) as ExecutionRow | undefined;
  }

  listExecutions(filter: { machineArn?: string; versionArn?: string; aliasArn?: string; status?: string; redriven?: boolean }): ExecutionRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const equal = { machineArn: filter.machineArn, versionArn: filter.versionArn, aliasArn: filter.aliasArn, status: filter.status };
    for (const [column, value] of Object.entries(equal)) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    if (filter.redriven !== undefined) where.push(filter.redriven ? 'redriveCount > 0' : 'redriveCount = 0');
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started DESC, rowid DESC`;
    return this.db.prepare(sql).all(...args) as ExecutionRow[];
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
