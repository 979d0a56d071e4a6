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
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryEvent } from '../engine/types.js';
import { DelivError } from '../ui/errors.js';
import { executionArnOfMachine } from './arn.js';
import { decodeEvent, encodeEvent, type EncodedEvent, type StoredEvent } from './history-codec.js';

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
  /** When DeleteStateMachine was asked while executions ran (AWS's DELETING status); null while ACTIVE. */
  deleting?: number | null;
}

/** Whether DeleteStateMachine has marked the machine DELETING (its executions still running). */
export function isDeleting(machine: MachineRow | undefined): boolean {
  return machine?.deleting !== null && machine?.deleting !== undefined;
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
  /** When that revision became current (see Revision); absent on rows made before the store kept it. */
  revisionDate?: number | null;
  traceHeader: string | null;
  testCase: string | null;
  redriveCount: number;
  redriveDate: number | null;
  /** The execution that started this one through `states:startExecution`, if any. */
  parentArn: string | null;
}

export interface MapRunRow {
  arn: string;
  executionArn: string;
  childMachineArn: string;
  label: string;
  childType: 'STANDARD' | 'EXPRESS';
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  started: number;
  stopped: number | null;
  itemCount: number;
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  definition: string;
  redriveCount: number;
  redriveDate: number | null;
  /** Items read before batching (null in stores older than migration 9: itemCount). */
  items: number | null;
  /** Child executions, and the items they held, that ResultWriter wrote (0 without one). */
  resultsWritten?: number;
  itemResultsWritten?: number;
}

/** A Map Run's child execution by the item (or batch) it runs: `items` counts the items of its batch. */
export interface MapRunChildRow {
  item: number;
  arn: string;
  name: string;
  items: number;
}

export interface ExecutionFilter {
  machineArn: string;
  /** A Map Run's children only (their parentArn is the Map Run's ARN), Standard ones (Express ones are not listed). */
  mapRunArn?: string;
  versionArn?: string;
  aliasArn?: string;
  status?: string;
  redriven?: boolean;
}

/** What ListExecutions shows of an execution, and `seq`, its place in insertion order (the tie-break of the page key). */
export interface ActivityRow {
  arn: string;
  name: string;
  created: number;
}

export type ExecutionListRow = Pick<ExecutionRow, 'arn' | 'machineArn' | 'name' | 'status' | 'started' | 'stopped' | 'versionArn' | 'aliasArn' | 'redriveCount' | 'redriveDate'> & { seq: number };

const EVENT_COLUMNS = 'id, previous, offset, type, key, flags, details';

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
  /** 1 once the task's resource (the Lambda handing out the token) has returned. */
  invoked?: number;
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
  { version: 3, up: compactExecutions },
  {
    // CloudWatch Logs (log-store.ts): the log groups machines log their executions to, their streams and events.
    version: 4,
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
  {
    // A .waitForTaskToken task's resource ran (its Lambda returned): a resumed task waits for the answer without running it again.
    version: 5,
    up: (db) => db.exec('ALTER TABLE tokens ADD COLUMN invoked INTEGER NOT NULL DEFAULT 0'),
  },
  {
    // Activities (activities.ts): CreateActivity's names; their pending tasks are answered through the tokens table.
    version: 6,
    up: (db) => db.exec('CREATE TABLE activities (arn TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;'),
  },
  {
    // When each revision became current (DescribeStateMachineForExecution's updateDate); stores compacted since have the column already.
    version: 7,
    up: (db) => {
      const columns = db.prepare('PRAGMA table_info(revisions)').all() as { name: string }[];
      if (!columns.some((column) => column.name === 'updated')) db.exec('ALTER TABLE revisions ADD COLUMN updated INTEGER');
    },
  },
  {
    // Map Runs (map-runs.ts): a Distributed Map's run, its settings (UpdateMapRun) and end; its children are executions whose parentArn is the Map Run.
    version: 8,
    up: (db) =>
      db.exec(`
        CREATE TABLE map_runs (
          arn TEXT PRIMARY KEY, executionArn TEXT NOT NULL, childMachineArn TEXT NOT NULL, label TEXT NOT NULL, childType TEXT NOT NULL,
          status TEXT NOT NULL, started INTEGER NOT NULL, stopped INTEGER, itemCount INTEGER NOT NULL, maxConcurrency INTEGER NOT NULL,
          toleratedFailureCount INTEGER NOT NULL, toleratedFailurePercentage REAL NOT NULL, definition TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX map_runs_execution ON map_runs (executionArn, started);
      `),
  },
  {
    // Map Run redrive and resume (map-runs.ts): which child runs which item (and how many items its batch holds),
    // the Map Run's redrives, and its count of items before batching (DescribeMapRun's itemCounts).
    version: 9,
    up: (db) =>
      db.exec(`
        CREATE TABLE map_run_children (
          mapRun TEXT NOT NULL, item INTEGER NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL, items INTEGER NOT NULL, PRIMARY KEY (mapRun, item)
        ) WITHOUT ROWID;
        ALTER TABLE map_runs ADD COLUMN redriveCount INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE map_runs ADD COLUMN redriveDate INTEGER;
        ALTER TABLE map_runs ADD COLUMN items INTEGER;
      `),
  },
  {
    // ResultWriter (map-runs.ts): how many child executions, and items, the Map Run's result files hold (DescribeMapRun's resultsWritten).
    version: 10,
    up: (db) =>
      db.exec(`
        ALTER TABLE map_runs ADD COLUMN resultsWritten INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE map_runs ADD COLUMN itemResultsWritten INTEGER NOT NULL DEFAULT 0;
      `),
  },
  {
    // DeleteStateMachine while executions run: the machine stays, DELETING, until the last of them ends.
    version: 11,
    up: (db) => db.exec('ALTER TABLE machines ADD COLUMN deleting INTEGER'),
  },
];

/**
 * The compact layout (issue 19): executions keyed by an integer id given in
 * order of insertion (their ARN follows from the machine and the name, so it
 * is not stored), ARNs and event type names interned once in `names`, each
 * definition stored once per revision in `revisions`, and history rows keyed
 * by (execution id, event id) with the event's fixed parts as integers
 * (history-codec.ts). Existing executions and histories are carried over.
 */
function compactExecutions(db: Database.Database): void {
  db.exec(`
    ALTER TABLE executions RENAME TO executions_v2;
    ALTER TABLE history RENAME TO history_v2;
    DROP INDEX IF EXISTS executions_machine;
    DROP INDEX IF EXISTS executions_machine_status;
    DROP INDEX IF EXISTS executions_running;
    CREATE TABLE names (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
    CREATE TABLE revisions (
      id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, definition TEXT NOT NULL, roleArn TEXT NOT NULL, revisionId TEXT NOT NULL, updated INTEGER
    );
    CREATE TABLE executions (
      id INTEGER PRIMARY KEY, machine INTEGER NOT NULL, name TEXT NOT NULL, arnSuffix TEXT, version INTEGER, alias INTEGER,
      express INTEGER NOT NULL, status TEXT NOT NULL, started INTEGER NOT NULL, stopped INTEGER,
      redriveCount INTEGER NOT NULL DEFAULT 0, redriveDate INTEGER, revision INTEGER NOT NULL,
      input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT, traceHeader TEXT, testCase TEXT, parentArn TEXT
    );
    CREATE INDEX executions_name ON executions (machine, name);
    CREATE INDEX executions_machine ON executions (machine, started);
    CREATE INDEX executions_machine_status ON executions (machine, status, started);
    CREATE INDEX executions_running ON executions (started) WHERE status = 'RUNNING';
    CREATE TABLE history (
      execution INTEGER NOT NULL, id INTEGER NOT NULL, previous INTEGER, offset INTEGER NOT NULL, type INTEGER NOT NULL,
      key INTEGER, flags INTEGER NOT NULL DEFAULT 0, details TEXT, engineId INTEGER, PRIMARY KEY (execution, id)
    ) WITHOUT ROWID;
  `);
  const names = new Names(db);
  const revisions = new Revisions(db);
  const insert = db.prepare(INSERT_EXECUTION);
  const insertEvent = db.prepare(INSERT_EVENT);
  const events = db.prepare('SELECT id, event, engineId FROM history_v2 WHERE executionArn = ? ORDER BY id');
  // In chunks (a statement cannot be iterated while others write), oldest first so ids follow start order.
  const chunk = db.prepare('SELECT rowid AS seq, * FROM executions_v2 WHERE (started, rowid) > (?, ?) ORDER BY started, rowid LIMIT 500');
  let after: [number, number] = [-Infinity, -Infinity];
  for (;;) {
    const rows = chunk.all(...after) as (ExecutionRow & { seq: number })[];
    if (rows.length === 0) break;
    for (const old of rows) {
      const id = Number(insert.run(executionColumns(old, names, revisions)).lastInsertRowid);
      for (const row of events.all(old.arn) as { id: number; event: string; engineId: number | null }[]) {
        const event = JSON.parse(row.event) as HistoryEvent;
        insertEvent.run(id, row.id, ...eventColumns(encodeEvent(event, old.started), names), row.engineId);
      }
    }
    const last = rows[rows.length - 1];
    after = [last.started, last.seq];
  }
  db.exec('DROP TABLE executions_v2; DROP TABLE history_v2;');
}

const INSERT_EXECUTION = `INSERT INTO executions (machine, name, arnSuffix, version, alias, express, status, started, stopped, redriveCount, redriveDate,
  revision, input, output, error, cause, traceHeader, testCase, parentArn)
  VALUES (@machine, @name, @arnSuffix, @version, @alias, @express, @status, @started, @stopped, @redriveCount, @redriveDate,
  @revision, @input, @output, @error, @cause, @traceHeader, @testCase, @parentArn)`;

const INSERT_EVENT = 'INSERT OR REPLACE INTO history (execution, id, previous, offset, type, key, flags, details, engineId) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** Interned strings (ARNs, event types, details keys): each stored once, referenced by a small integer. */
class Names {
  private readonly ids = new Map<string, number>();
  private readonly texts = new Map<number, string>();
  private readonly insert;

  constructor(db: Database.Database) {
    for (const row of db.prepare('SELECT id, text FROM names').all() as { id: number; text: string }[]) this.remember(row.id, row.text);
    this.insert = db.prepare('INSERT INTO names (text) VALUES (?)');
  }

  private remember(id: number, text: string): void {
    this.ids.set(text, id);
    this.texts.set(id, text);
  }

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = Number(this.insert.run(text).lastInsertRowid);
      this.remember(id, text);
    }
    return id;
  }

  /** The id of a name already stored, without storing it (lookups). */
  find(text: string): number | undefined {
    return this.ids.get(text);
  }

  text(id: number): string {
    const text = this.texts.get(id);
    if (text === undefined) throw new Error(`store: unknown name id ${id}`);
    return text;
  }

  /** After a rollback: names inserted by the rolled-back work are gone from the database, so from here too. */
  reload(db: Database.Database): void {
    this.ids.clear();
    this.texts.clear();
    for (const row of db.prepare('SELECT id, text FROM names').all() as { id: number; text: string }[]) this.remember(row.id, row.text);
  }
}

interface Revision {
  definition: string;
  roleArn: string;
  revisionId: string;
  /** When the revision became current (the machine's update, the version's publication); null for executions stored before it was kept. */
  revisionDate?: number | null;
}

/** Each definition (with the role and revision it ran under) stored once, however many executions ran it. */
class Revisions {
  private readonly byId = new Map<number, Revision>();
  /** The ids of the revisions executions were started with lately, by revision id, role and date (the definition compared). */
  private readonly recent = new Map<string, { id: number; definition: string }>();
  private readonly find;
  private readonly insert;
  private readonly get;

  constructor(db: Database.Database) {
    this.find = db.prepare('SELECT id FROM revisions WHERE hash = ?');
    this.insert = db.prepare('INSERT INTO revisions (hash, definition, roleArn, revisionId, updated) VALUES (?, ?, ?, ?, ?)');
    this.get = db.prepare('SELECT definition, roleArn, revisionId, updated AS revisionDate FROM revisions WHERE id = ?');
  }

  id(revision: Revision): number {
    // Every execution of a machine names the same revision: its id is found without hashing the definition again.
    const key = `${revision.revisionId}\0${revision.roleArn}\0${revision.revisionDate ?? ''}`;
    const known = this.recent.get(key);
    if (known && known.definition === revision.definition) return known.id;
    const id = this.lookUp(revision);
    if (this.recent.size > 1000) this.recent.clear();
    this.recent.set(key, { id, definition: revision.definition });
    return id;
  }

  private lookUp(revision: Revision): number {
    const hash = createHash('sha256').update(revision.revisionId).update('\0').update(revision.roleArn).update('\0').update(revision.definition);
    // Two machines (or two updates) with the same content are two revisions, each with its own date.
    if (revision.revisionDate !== undefined && revision.revisionDate !== null) hash.update('\0').update(String(revision.revisionDate));
    const digest = hash.digest();
    const found = this.find.get(digest) as { id: number } | undefined;
    if (found) return found.id;
    const id = Number(this.insert.run(digest, revision.definition, revision.roleArn, revision.revisionId, revision.revisionDate ?? null).lastInsertRowid);
    this.byId.set(id, { definition: revision.definition, roleArn: revision.roleArn, revisionId: revision.revisionId, revisionDate: revision.revisionDate ?? null });
    return id;
  }

  /** After a rollback, an id cached here may be given again to another revision. */
  forget(): void {
    this.byId.clear();
    this.recent.clear();
  }

  revision(id: number): Revision {
    let revision = this.byId.get(id);
    if (!revision) {
      revision = this.get.get(id) as Revision;
      if (this.byId.size > 1000) this.byId.clear();
      this.byId.set(id, revision);
    }
    return revision;
  }
}

function executionColumns(row: ExecutionRow, names: Names, revisions: Revisions): Record<string, unknown> {
  const express = row.type === 'EXPRESS';
  return {
    machine: names.id(row.machineArn),
    name: row.name,
    // An Express execution's ARN ends in a random id of its own; a Standard one's is machine + name.
    arnSuffix: express ? row.arn.slice(row.arn.lastIndexOf(':') + 1) : null,
    version: row.versionArn === null ? null : names.id(row.versionArn),
    alias: row.aliasArn === null ? null : names.id(row.aliasArn),
    express: express ? 1 : 0,
    status: row.status,
    started: row.started,
    stopped: row.stopped,
    redriveCount: row.redriveCount,
    redriveDate: row.redriveDate,
    revision: revisions.id(row),
    input: row.input,
    output: row.output,
    error: row.error,
    cause: row.cause,
    traceHeader: row.traceHeader,
    testCase: row.testCase,
    parentArn: row.parentArn,
  };
}

function eventColumns(encoded: EncodedEvent, names: Names): [number | null, number, number, number | null, number, string | null] {
  return [encoded.previous, encoded.offset, names.id(encoded.type), encoded.key === null ? null : names.id(encoded.key), encoded.flags, encoded.details];
}


/** The machine ARN and name of an execution ARN (the inverse of executionArnOf), or undefined for a malformed one. */
function parseExecutionArn(arn: string): { machineArn: string; name: string; arnSuffix: string | null } | undefined {
  const match = /^(arn:[^:]+:states:[^:]+:[^:]+):(execution|express):([^:]+):([^:]+)(?::([^:]+))?$/.exec(arn);
  if (!match) return undefined;
  const [, prefix, kind, machine, name, suffix] = match;
  if ((kind === 'express') !== (suffix !== undefined)) return undefined;
  return { machineArn: `${prefix}:stateMachine:${machine}`, name, arnSuffix: suffix ?? null };
}

interface StoredExecution {
  id: number;
  machine: number;
  name: string;
  arnSuffix: string | null;
  version: number | null;
  alias: number | null;
  express: number;
  status: ExecutionStatusName;
  started: number;
  stopped: number | null;
  redriveCount: number;
  redriveDate: number | null;
  revision: number;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  traceHeader: string | null;
  testCase: string | null;
  parentArn: string | null;
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

function migrate(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`${file} was written by a newer deliv (store schema ${current}, this deliv knows ${SCHEMA_VERSION}): upgrade deliv, or pass another --data-dir`);
  }
  const existing = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n > 0;
  // A copy as it was before its layout changes, should a migration go wrong (VACUUM INTO: a consistent, compact snapshot).
  if (existing && current < SCHEMA_VERSION) db.prepare('VACUUM INTO ?').run(backupPath(path.dirname(file), `schema${current}`));
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

export const DATABASE_FILE = 'emulator.db';
export const BACKUP_DIR = 'backups';

/** A new file under <dataDir>/backups named after what it is and when. */
export function backupPath(dataDir: string, label: string): string {
  mkdirSync(path.join(dataDir, BACKUP_DIR), { recursive: true });
  return path.join(dataDir, BACKUP_DIR, `emulator-${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
}

/** The newest backup of a data dir, if any: what a refused start points at. */
export function latestBackup(dataDir: string): string | undefined {
  const dir = path.join(dataDir, BACKUP_DIR);
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((file) => file.endsWith('.db'));
  const newest = files.map((file) => ({ file, at: statSync(path.join(dir, file)).mtimeMs })).sort((a, b) => b.at - a.at)[0];
  return newest && path.join(dir, newest.file);
}

/**
 * Opens the database of a data dir, refusing (never replacing) what it cannot
 * trust: a WAL whose database is gone (SQLite would start an empty store and
 * ignore it), a damaged database, a data dir it cannot write to. Each refusal
 * says what is wrong, that the files are left as they are, and where the
 * newest backup is.
 */
function openDatabase(dataDir: string): Database.Database {
  const file = path.join(dataDir, DATABASE_FILE);
  const where = () => {
    const backup = latestBackup(dataDir);
    return backup ? `the newest backup is ${backup}` : 'there is no backup (`deliv local backup` makes one)';
  };
  if (!existsSync(file) && existsSync(`${file}-wal`)) {
    throw new DelivError(`${file} is missing but its write-ahead log ${file}-wal is there: the store would start empty and drop what the log holds`, {
      code: 'STORE_DAMAGED',
      hint: `restore ${DATABASE_FILE} into ${dataDir} (${where()}), or move ${file}-wal away to start afresh`,
    });
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // Reads the schema, which a damaged or foreign file fails; writes once, which a read-only one fails.
    db.exec('BEGIN IMMEDIATE; COMMIT');
    return db;
  } catch (error) {
    db?.close();
    const err = error as NodeJS.ErrnoException;
    const code = String(err.code ?? '');
    if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
      throw new DelivError(`${file} is damaged (${err.message}); it is left as it is`, { code: 'STORE_DAMAGED', hint: `restore it (${where()}), or pass another --data-dir`, cause: error });
    }
    if (/^SQLITE_(READONLY|CANTOPEN|PERM|IOERR)/.test(code) || ['EACCES', 'EROFS', 'EPERM'].includes(code)) {
      throw new DelivError(`cannot write to the data dir ${dataDir} (${err.message}): the emulator records every execution there`, {
        code: 'DATA_DIR_NOT_WRITABLE',
        hint: 'make it writable, or pass --data-dir to a writable folder',
        cause: error,
      });
    }
    throw error;
  }
}

export class Store {
  readonly db: Database.Database;
  /** Signs page tokens (api/paging.ts); kept in the store so tokens survive a restart. */
  readonly pagingSecret: Buffer;
  private deferred: (() => void)[] = [];
  private batchOpen = false;
  private commitWaiters: { resolve(): void; reject(error: unknown): void }[] = [];
  /** Executions written to in the open batch: told when the batch fails, as their recent events are gone. */
  private touched = new Set<string>();
  private readonly failureListeners = new Set<(error: unknown, executionArns: string[]) => void>();
  private readonly statements;
  private readonly names: Names;
  private readonly revisions: Revisions;
  /** Execution ARN → compact id and start time, for the executions being written to (events are keyed by both). */
  private readonly keys = new Map<string, { id: number; started: number }>();
  /**
   * Machine rows by ARN, as read: every StartExecution resolves its machine and every run reads its logging
   * configuration, and a machine changes only through this class's writes, each of which drops its entry.
   */
  private readonly machines = new Map<string, MachineRow>();

  constructor(dataDir: string) {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new DelivError(`cannot create the data dir ${dataDir} (${(error as Error).message})`, { code: 'DATA_DIR_NOT_WRITABLE', hint: 'pass --data-dir to a writable folder', cause: error });
    }
    this.db = openDatabase(dataDir);
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
      insertEvent: db.prepare(INSERT_EVENT),
      getMachine: db.prepare('SELECT * FROM machines WHERE arn = ?'),
      getVersion: db.prepare('SELECT * FROM versions WHERE arn = ?'),
      getAlias: db.prepare('SELECT * FROM aliases WHERE arn = ?'),
      findExecution: db.prepare('SELECT * FROM executions WHERE machine = ? AND name = ?'),
      executionById: db.prepare('SELECT * FROM executions WHERE id = ?'),
      insertExecution: db.prepare(INSERT_EXECUTION),
      finishExecution: db.prepare('UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stopped = ? WHERE id = ?'),
      history: db.prepare(`SELECT ${EVENT_COLUMNS} FROM history WHERE execution = ? ORDER BY id`),
      historyAfter: db.prepare(`SELECT ${EVENT_COLUMNS} FROM history WHERE execution = ? AND id > ? ORDER BY id LIMIT ?`),
      historyBefore: db.prepare(`SELECT ${EVENT_COLUMNS} FROM history WHERE execution = ? AND id < ? ORDER BY id DESC LIMIT ?`),
      getToken: db.prepare('SELECT * FROM tokens WHERE token = ?'),
      consumeTokens: db.prepare("UPDATE tokens SET status = 'CONSUMED' WHERE executionArn = ? AND status = 'WAITING'"),
    };
    this.names = new Names(db);
    this.revisions = new Revisions(db);
    this.inTransaction = db.transaction((work: () => unknown) => work());
    db.exec('BEGIN IMMEDIATE; COMMIT');
  }

  close(): void {
    this.flush();
    clearInterval(this.checkpointer);
    // Everything into the .db file, the WAL emptied: the data dir is whole and safe to copy once stopped.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  /** A piece of the emulator's own bookkeeping (the meta table), as JSON. */
  readMeta<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: Buffer } | undefined;
    return row ? (JSON.parse(row.value.toString('utf8')) as T) : undefined;
  }

  /** Writes bookkeeping and commits it at once: it must hold even if the process dies in this same turn. */
  writeMeta(key: string, value: unknown): void {
    const statement = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.transaction(() => statement.run(key, Buffer.from(JSON.stringify(value), 'utf8')));
    this.flush();
  }

  /** A consistent copy of the whole store in one file (`deliv local backup`), made between batches. */
  backup(file: string): string {
    this.flush();
    this.db.prepare('VACUUM INTO ?').run(file);
    return file;
  }

  /** Copies the WAL into the .db while the emulator runs, so the .db is never far behind what was acknowledged. */
  private readonly checkpointer = setInterval(() => {
    if (this.db.open && !this.batchOpen) this.db.pragma('wal_checkpoint(PASSIVE)');
  }, 30_000).unref();

  /** One wrapper made once: better-sqlite3 prepares BEGIN/COMMIT each time a wrapper is made. */
  private readonly inTransaction: (work: () => unknown) => unknown;

  /** Atomic work: all or nothing (a savepoint inside this turn's batch), committed with the batch. */
  transaction<T>(work: () => T): T {
    this.openBatch();
    try {
      return this.inTransaction(work) as T;
    } catch (error) {
      this.afterRollback();
      throw error;
    }
  }

  /** Caches of ids given inside work that was rolled back no longer hold. */
  private afterRollback(): void {
    this.names.reload(this.db);
    this.revisions.forget();
    this.keys.clear();
    this.machines.clear();
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
    const touched = this.touched;
    this.commitWaiters = [];
    this.deferred = [];
    this.touched = new Set();
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
      if (this.db.open) this.afterRollback();
      for (const listener of this.failureListeners) listener(failure, [...touched]);
    }
    for (const waiter of waiters) {
      if (failure === undefined) waiter.resolve();
      else waiter.reject(failure);
    }
  };

  /**
   * A write of the open batch failed (SQLite may have rolled the whole
   * transaction back on SQLITE_FULL or an I/O error): the batch is given up
   * as one, so no half of it lands; its requests fail and its executions are
   * told, to run on from what was committed.
   */
  private failBatch(error: unknown): void {
    if (!this.batchOpen) return;
    this.deferred = [];
    this.deferred.push(() => {
      throw error;
    });
    this.commitBatch();
  }

  /** Called when a batch fails to commit (disk full, read-only, I/O error) with the executions it held events of. */
  onWriteFailure(listener: (error: unknown, executionArns: string[]) => void): void {
    this.failureListeners.add(listener);
  }

  /** Whether a write goes through now (after a failure: has space come back?). */
  writable(): boolean {
    if (this.batchOpen || !this.db.open) return false;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)").run(randomBytes(64));
      this.db.exec('COMMIT');
      return true;
    } catch {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      return false;
    }
  }

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

  /** The compact id and start of an execution, from the cache of those being written or from its row. */
  private key(executionArn: string): { id: number; started: number } {
    let key = this.keys.get(executionArn);
    if (!key) {
      const row = this.stored(executionArn);
      if (!row) throw new Error(`store: no execution ${executionArn}`);
      key = this.remember(executionArn, row);
    }
    return key;
  }

  private remember(executionArn: string, row: { id: number; started: number }): { id: number; started: number } {
    const key = { id: row.id, started: row.started };
    if (this.keys.size > 50_000) this.keys.clear();
    this.keys.set(executionArn, key);
    return key;
  }

  /**
   * Writes an event into this turn's batch. `engineId` is the id the engine
   * gave it when that differs from the stored one (after a redrive).
   */
  appendEvent(executionArn: string, event: HistoryEvent, engineId: number | null = null): void {
    this.openBatch();
    this.touched.add(executionArn);
    const key = this.key(executionArn);
    try {
      this.statements.insertEvent.run(key.id, event.id, ...eventColumns(encodeEvent(event, key.started), this.names), engineId);
    } catch (error) {
      this.failBatch(error);
      throw error;
    }
  }

  /** Runs a write just before this turn's batch commits, atomically with the events written in this turn. */
  defer(write: () => void): void {
    this.openBatch();
    this.deferred.push(write);
  }

  private decode(rows: StoredEvent[], started: number): HistoryEvent[] {
    const name = (id: number) => this.names.text(id);
    return rows.map((row) => decodeEvent(row, started, name));
  }

  /** One page of a history: the `limit` events after event `after` (before it, newest first, in reverse), decoding only those. */
  historyPage(executionArn: string, after: number | undefined, limit: number, reverse: boolean): HistoryEvent[] {
    const key = this.key(executionArn);
    const statement = reverse ? this.statements.historyBefore : this.statements.historyAfter;
    const rows = statement.all(key.id, after ?? (reverse ? Number.MAX_SAFE_INTEGER : 0), limit) as StoredEvent[];
    return this.decode(rows, key.started);
  }

  /** The id of the last event an execution's history holds (0 for none), from the primary key alone. */
  lastEventId(executionArn: string): number {
    return (this.db.prepare('SELECT MAX(id) AS last FROM history WHERE execution = ?').get(this.key(executionArn).id) as { last: number | null }).last ?? 0;
  }

  /** How many events an execution's history holds (a redrive's earlier attempts included), without decoding them. */
  eventCount(executionArn: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM history WHERE execution = ?').get(this.key(executionArn).id) as { n: number }).n;
  }

  history(executionArn: string): HistoryEvent[] {
    const key = this.key(executionArn);
    return this.decode(this.statements.history.all(key.id) as StoredEvent[], key.started);
  }

  /**
   * The history as the engine knows it: after a redrive, the events of the
   * failed attempt stay in the stored history but leave the engine's view, and
   * the engine's own ids map to stored ids.
   */
  engineView(executionArn: string): { events: HistoryEvent[]; engineToStored: Map<number, number>; maxStored: number } {
    const key = this.key(executionArn);
    const rows = this.db.prepare(`SELECT ${EVENT_COLUMNS}, engineId FROM history WHERE execution = ? ORDER BY id`).all(key.id) as (StoredEvent & { engineId: number | null })[];
    const engineToStored = new Map<number, number>();
    const storedToEngine = new Map<number, number>();
    const kept: { engineId: number; event: HistoryEvent }[] = [];
    const name = (id: number) => this.names.text(id);
    let maxStored = 0;
    for (const row of rows) {
      maxStored = Math.max(maxStored, row.id);
      if (row.engineId === 0) continue;
      const engineId = row.engineId ?? row.id;
      engineToStored.set(engineId, row.id);
      storedToEngine.set(row.id, engineId);
      kept.push({ engineId, event: decodeEvent(row, key.started, name) });
    }
    const events = kept
      .map(({ engineId, event }) => ({ ...event, id: engineId, previousEventId: storedToEngine.get(event.previousEventId ?? 0) ?? event.previousEventId }))
      .sort((a, b) => a.id - b.id);
    return { events, engineToStored, maxStored };
  }

  /** Takes the events after engine id `lastKept` out of the engine's view (they stay in the history). */
  retireEvents(executionArn: string, lastKept: number): void {
    this.db.prepare('UPDATE history SET engineId = 0 WHERE execution = ? AND COALESCE(engineId, id) > ?').run(this.key(executionArn).id, lastKept);
  }

  // ---- machines, versions, aliases ---------------------------------------------------------

  getMachine(arn: string): MachineRow | undefined {
    let row = this.machines.get(arn);
    if (!row) {
      row = this.statements.getMachine.get(arn) as MachineRow | undefined;
      if (!row) return undefined;
      if (this.machines.size > 1000) this.machines.clear();
      this.machines.set(arn, row);
    }
    // A copy: a caller that edits the row it was given (UpdateStateMachine does) edits only its own.
    return { ...row };
  }

  putMachine(row: MachineRow): void {
    this.machines.delete(row.arn);
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
    this.machines.delete(arn);
    this.transaction(() => {
      this.db.prepare('DELETE FROM machines WHERE arn = ?').run(arn);
      this.db.prepare('DELETE FROM versions WHERE machineArn = ?').run(arn);
      this.db.prepare('DELETE FROM aliases WHERE machineArn = ?').run(arn);
      this.db.prepare('DELETE FROM tags WHERE resourceArn = ?').run(arn);
    });
  }

  /** DeleteStateMachine with executions running: the machine is DELETING until they end (then deleteMachine). */
  markMachineDeleting(arn: string, at: number): void {
    this.machines.delete(arn);
    this.db.prepare('UPDATE machines SET deleting = ? WHERE arn = ? AND deleting IS NULL').run(at, arn);
  }

  /** Machines left DELETING, to finish deleting those whose executions have all ended (after a restart). */
  deletingMachines(): string[] {
    return (this.db.prepare('SELECT arn FROM machines WHERE deleting IS NOT NULL').all() as { arn: string }[]).map((row) => row.arn);
  }

  /** How many executions of the machine (not a Map Run's children) are RUNNING. */
  runningExecutionCount(machineArn: string): number {
    const machine = this.names.find(machineArn);
    if (machine === undefined) return 0;
    return (this.db.prepare("SELECT COUNT(*) AS n FROM executions WHERE machine = ? AND status = 'RUNNING'").get(machine) as { n: number }).n;
  }

  /** Reserves the next version number of a machine (numbers are never reused). */
  nextVersionNumber(machineArn: string): number {
    this.machines.delete(machineArn);
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

  /** The stored row of an execution ARN: the machine's interned id and the name find it through the (machine, name) index. */
  private stored(arn: string): StoredExecution | undefined {
    const parsed = parseExecutionArn(arn);
    if (!parsed) return undefined;
    const machine = this.names.find(parsed.machineArn);
    if (machine === undefined) return undefined;
    const rows = this.statements.findExecution.all(machine, parsed.name) as StoredExecution[];
    return rows.find((row) => row.arnSuffix === parsed.arnSuffix);
  }

  private row(stored: StoredExecution): ExecutionRow {
    const machineArn = this.names.text(stored.machine);
    const revision = this.revisions.revision(stored.revision);
    return {
      arn: executionArnOfMachine(machineArn, stored.name, stored.arnSuffix),
      machineArn,
      machineName: machineArn.slice(machineArn.lastIndexOf(':') + 1),
      versionArn: stored.version === null ? null : this.names.text(stored.version),
      aliasArn: stored.alias === null ? null : this.names.text(stored.alias),
      name: stored.name,
      type: stored.express ? 'EXPRESS' : 'STANDARD',
      status: stored.status,
      input: stored.input,
      output: stored.output,
      error: stored.error,
      cause: stored.cause,
      started: stored.started,
      stopped: stored.stopped,
      definition: revision.definition,
      roleArn: revision.roleArn,
      revisionId: revision.revisionId,
      revisionDate: revision.revisionDate ?? null,
      traceHeader: stored.traceHeader,
      testCase: stored.testCase,
      redriveCount: stored.redriveCount,
      redriveDate: stored.redriveDate,
      parentArn: stored.parentArn,
    };
  }

  getExecution(arn: string): ExecutionRow | undefined {
    const stored = this.stored(arn);
    return stored && this.row(stored);
  }

  insertExecution(row: ExecutionRow): void {
    this.openBatch();
    this.touched.add(row.arn);
    let id: number;
    try {
      id = Number(this.statements.insertExecution.run(executionColumns(row, this.names, this.revisions)).lastInsertRowid);
    } catch (error) {
      this.failBatch(error);
      throw error;
    }
    this.remember(row.arn, { id, started: row.started });
  }

  /** Records the end of an execution together with its last events, in one commit. */
  finishExecution(arn: string, result: { status: ExecutionStatusName; output?: string | null; error?: string | null; cause?: string | null; stopped: number }): void {
    this.transaction(() => {
      this.statements.finishExecution.run(result.status, result.output ?? null, result.error ?? null, result.cause ?? null, result.stopped, this.key(arn).id);
      this.statements.consumeTokens.run(arn);
    });
  }

  markRedriven(arn: string, redriveDate: number): void {
    this.db
      .prepare("UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped = NULL, redriveCount = redriveCount + 1, redriveDate = ? WHERE id = ?")
      .run(redriveDate, this.key(arn).id);
  }

  /** A STANDARD execution of a machine by its name (the (machine, name) index finds it). */
  findExecutionByName(machineArn: string, name: string): ExecutionRow | undefined {
    return this.getExecution(executionArnOfMachine(machineArn, name, null));
  }

  /**
   * One page of ListExecutions, newest first: the rows after `after` (the
   * `[started, seq]` of the last row of the previous page) in the order of the
   * machine's index, `limit` of them, and only the columns the list shows
   * (never the input, output or definition).
   */
  listExecutionsPage(filter: ExecutionFilter, after: readonly [number, number] | undefined, limit: number): ExecutionListRow[] {
    const machine = this.names.find(filter.machineArn);
    if (machine === undefined) return [];
    const where = ['machine = ?'];
    const args: unknown[] = [machine];
    for (const [column, value] of [['version', filter.versionArn], ['alias', filter.aliasArn]] as const) {
      if (value === undefined) continue;
      const id = this.names.find(value);
      if (id === undefined) return [];
      where.push(`${column} = ?`);
      args.push(id);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.redriven !== undefined) where.push(filter.redriven ? 'redriveCount > 0' : 'redriveCount = 0');
    if (filter.mapRunArn !== undefined) {
      where.push('parentArn = ? AND express = 0');
      args.push(filter.mapRunArn);
    }
    if (after) {
      where.push('(started, id) < (?, ?)');
      args.push(after[0], after[1]);
    }
    const sql = `SELECT id, name, arnSuffix, version, alias, status, started, stopped, redriveCount, redriveDate FROM executions
      WHERE ${where.join(' AND ')} ORDER BY started DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit) as Pick<StoredExecution, 'id' | 'name' | 'arnSuffix' | 'version' | 'alias' | 'status' | 'started' | 'stopped' | 'redriveCount' | 'redriveDate'>[];
    return rows.map((row) => ({
      seq: row.id,
      arn: executionArnOfMachine(filter.machineArn, row.name, row.arnSuffix),
      machineArn: filter.machineArn,
      name: row.name,
      status: row.status,
      started: row.started,
      stopped: row.stopped,
      versionArn: row.version === null ? null : this.names.text(row.version),
      aliasArn: row.alias === null ? null : this.names.text(row.alias),
      redriveCount: row.redriveCount,
      redriveDate: row.redriveDate,
    }));
  }

  runningExecutions(): ExecutionRow[] {
    const rows = this.db.prepare("SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY started").all() as StoredExecution[];
    return rows.map((stored) => {
      const row = this.row(stored);
      this.remember(row.arn, stored);
      return row;
    });
  }

  countExecutions(status?: string): number {
    const row = (status
      ? this.db.prepare('SELECT COUNT(*) AS n FROM executions WHERE status = ?').get(status)
      : this.db.prepare('SELECT COUNT(*) AS n FROM executions').get()) as { n: number };
    return row.n;
  }

  // ---- map runs --------------------------------------------------------------------------

  putMapRun(row: MapRunRow): void {
    this.openBatch();
    this.db
      .prepare(`INSERT OR REPLACE INTO map_runs (arn, executionArn, childMachineArn, label, childType, status, started, stopped, itemCount, maxConcurrency,
        toleratedFailureCount, toleratedFailurePercentage, definition, redriveCount, redriveDate, items) VALUES (@arn, @executionArn, @childMachineArn, @label,
        @childType, @status, @started, @stopped, @itemCount, @maxConcurrency, @toleratedFailureCount, @toleratedFailurePercentage, @definition, @redriveCount,
        @redriveDate, @items)`)
      .run(row);
  }

  /** What the Map Run's ResultWriter wrote, replacing an earlier attempt's count (its files are rewritten whole). */
  mapRunResultsWritten(arn: string, executions: number, items: number): void {
    this.openBatch();
    this.db.prepare('UPDATE map_runs SET resultsWritten = ?, itemResultsWritten = ? WHERE arn = ?').run(executions, items, arn);
  }

  /** A Map Run redriven: running again, one more redrive. */
  redriveMapRun(arn: string, redriveDate: number): void {
    this.openBatch();
    this.db.prepare("UPDATE map_runs SET status = 'RUNNING', stopped = NULL, redriveCount = redriveCount + 1, redriveDate = ? WHERE arn = ?").run(redriveDate, arn);
  }

  /** Which child runs item `item` of a Map Run. */
  putMapRunChild(mapRunArn: string, child: MapRunChildRow): void {
    this.openBatch();
    this.db.prepare('INSERT OR REPLACE INTO map_run_children (mapRun, item, arn, name, items) VALUES (?, ?, ?, ?, ?)').run(mapRunArn, child.item, child.arn, child.name, child.items);
  }

  mapRunChildren(mapRunArn: string): MapRunChildRow[] {
    return this.db.prepare('SELECT item, arn, name, items FROM map_run_children WHERE mapRun = ? ORDER BY item').all(mapRunArn) as MapRunChildRow[];
  }

  /** How many items the children in each status hold (a batch counts its items), for children recorded by item. */
  mapRunItemCounts(run: Pick<MapRunRow, 'arn' | 'childMachineArn'>): Record<string, number> {
    const machine = this.names.find(run.childMachineArn);
    if (machine === undefined) return {};
    const rows = this.db
      .prepare('SELECT e.status AS status, SUM(c.items) AS n FROM map_run_children c JOIN executions e ON e.machine = ? AND e.name = c.name WHERE c.mapRun = ? GROUP BY e.status')
      .all(machine, run.arn) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  /** A child execution that runs its item again from its first state (an Express child of a redriven Map Run): its earlier history goes. */
  restartExecution(arn: string, started: number): void {
    const key = this.key(arn);
    this.transaction(() => {
      this.db.prepare('DELETE FROM history WHERE execution = ?').run(key.id);
      this.db.prepare("UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, started = ?, stopped = NULL WHERE id = ?").run(started, key.id);
    });
    this.keys.delete(arn);
  }

  /**
   * The Map Runs one Map state started in one execution, in order: the first
   * under `arn`, each later one (started anew, not redriven) as `arn.2`, `arn.3`...
   */
  mapRunsStartedAs(arn: string): MapRunRow[] {
    const rows = this.db.prepare('SELECT * FROM map_runs WHERE arn = ? OR substr(arn, 1, ?) = ?').all(arn, arn.length + 1, `${arn}.`) as MapRunRow[];
    const attempt = (row: MapRunRow): number => (row.arn === arn ? 1 : Number(row.arn.slice(arn.length + 1)));
    return rows.filter((row) => Number.isInteger(attempt(row))).sort((a, b) => attempt(a) - attempt(b));
  }

  getMapRun(arn: string): MapRunRow | undefined {
    return this.db.prepare('SELECT * FROM map_runs WHERE arn = ?').get(arn) as MapRunRow | undefined;
  }

  /** One page of an execution's Map Runs, oldest first, after `after` (the [started, arn] of the last one shown). */
  listMapRunsPage(executionArn: string, after: readonly [number, string] | undefined, limit: number): MapRunRow[] {
    return this.db
      .prepare('SELECT * FROM map_runs WHERE executionArn = ? AND (started, arn) > (?, ?) ORDER BY started, arn LIMIT ?')
      .all(executionArn, after?.[0] ?? -1, after?.[1] ?? '', limit) as MapRunRow[];
  }

  updateMapRun(arn: string, settings: { maxConcurrency: number; toleratedFailureCount: number; toleratedFailurePercentage: number }): void {
    this.openBatch();
    this.db
      .prepare('UPDATE map_runs SET maxConcurrency = ?, toleratedFailureCount = ?, toleratedFailurePercentage = ? WHERE arn = ?')
      .run(settings.maxConcurrency, settings.toleratedFailureCount, settings.toleratedFailurePercentage, arn);
  }

  finishMapRun(arn: string, status: MapRunRow['status'], stopped: number): void {
    this.openBatch();
    this.db.prepare('UPDATE map_runs SET status = ?, stopped = ? WHERE arn = ?').run(status, stopped, arn);
  }

  /** How many of a Map Run's children are in each status. */
  mapRunChildCounts(run: Pick<MapRunRow, 'arn' | 'childMachineArn'>): Record<string, number> {
    const machine = this.names.find(run.childMachineArn);
    if (machine === undefined) return {};
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM executions WHERE machine = ? AND parentArn = ? GROUP BY status').all(machine, run.arn) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  /** A Map Run that starts again (its execution resumed after a restart): the children of its first start and their histories go. */
  deleteMapRunChildren(run: Pick<MapRunRow, 'arn' | 'childMachineArn'>): void {
    const machine = this.names.find(run.childMachineArn);
    if (machine === undefined) return;
    this.transaction(() => {
      this.db.prepare('DELETE FROM history WHERE execution IN (SELECT id FROM executions WHERE machine = ? AND parentArn = ?)').run(machine, run.arn);
      this.db.prepare('DELETE FROM executions WHERE machine = ? AND parentArn = ?').run(machine, run.arn);
      this.db.prepare('DELETE FROM map_run_children WHERE mapRun = ?').run(run.arn);
    });
    this.keys.clear();
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

  /** The resource of the task waiting under this slot has run: recorded with this turn's batch. */
  markSlotInvoked(slot: string): void {
    this.openBatch();
    this.db.prepare('UPDATE tokens SET invoked = 1 WHERE slot = ?').run(slot);
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

  // ---- activities ------------------------------------------------------------------------

  getActivity(arn: string): ActivityRow | undefined {
    return this.db.prepare('SELECT * FROM activities WHERE arn = ?').get(arn) as ActivityRow | undefined;
  }

  putActivity(row: ActivityRow): void {
    this.db.prepare('INSERT OR IGNORE INTO activities (arn, name, created) VALUES (@arn, @name, @created)').run(row);
  }

  deleteActivity(arn: string): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM activities WHERE arn = ?').run(arn);
      this.db.prepare('DELETE FROM tags WHERE resourceArn = ?').run(arn);
    });
  }

  /** In ARN order, from after `afterArn`: a page of `limit`. */
  listActivities(afterArn: string | undefined, limit: number): ActivityRow[] {
    return this.db.prepare('SELECT * FROM activities WHERE arn > ? ORDER BY arn LIMIT ?').all(afterArn ?? '', limit) as ActivityRow[];
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
