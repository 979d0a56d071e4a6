/**
 * The emulator's CloudWatch Logs: log groups, streams and events in the same
 * SQLite database as the executions, written in the same group commit as the
 * history events they come from (so a logged event is as durable as the
 * history it stands for). The CloudWatch Logs API handlers (api/logs.ts) and
 * the execution logger read and write here.
 */
import type Database from 'better-sqlite3';
import type { Store } from './store.js';

export interface LogGroupRow {
  name: string;
  created: number;
  retentionInDays: number | null;
  logGroupClass: string;
  storedBytes: number;
}

export interface LogStreamRow {
  groupName: string;
  name: string;
  created: number;
  firstEvent: number | null;
  lastEvent: number | null;
  lastIngestion: number | null;
  storedBytes: number;
}

export interface LogEventRow {
  seq: number;
  groupName: string;
  streamName: string;
  timestamp: number;
  ingestion: number;
  message: string;
}

/** Where a page of events resumes: after (timestamp, seq), or at the start when absent. */
export interface EventKey {
  timestamp: number;
  seq: number;
}


export interface EventQuery {
  groupName: string;
  streamNames?: string[];
  streamPrefix?: string;
  startTime?: number;
  endTime?: number;
  /** Exclusive lower bound (the last event of the previous page). */
  after?: EventKey;
  /** Exclusive upper bound (the first event of the following page), for backward reads. */
  before?: EventKey;
  /** Newest first (GetLogEvents without startFromHead reads the tail). */
  descending?: boolean;
}

export class LogStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(private readonly store: Store) {
    // The tables are the store's (migration 4).
    this.db = store.db;
    this.statements = {
      getGroup: this.db.prepare('SELECT * FROM log_groups WHERE name = ?'),
      getStream: this.db.prepare('SELECT * FROM log_streams WHERE groupName = ? AND name = ?'),
      insertStream: this.db.prepare('INSERT OR IGNORE INTO log_streams (groupName, name, created) VALUES (?, ?, ?)'),
      insertEvent: this.db.prepare('INSERT INTO log_events (groupName, streamName, timestamp, ingestion, message) VALUES (?, ?, ?, ?, ?)'),
      oldestEvent: this.db.prepare('SELECT seq FROM log_events WHERE groupName = ? AND timestamp < ? LIMIT 1'),
      deleteOlder: this.db.prepare('DELETE FROM log_events WHERE groupName = ? AND timestamp < ?'),
      // Stored bytes as putEvents counts them: the UTF-8 message plus 26 bytes an event.
      recountStreams: this.db.prepare(`UPDATE log_streams SET
        storedBytes = (SELECT COALESCE(SUM(length(CAST(message AS BLOB)) + 26), 0) FROM log_events e WHERE e.groupName = log_streams.groupName AND e.streamName = log_streams.name),
        firstEvent = (SELECT MIN(timestamp) FROM log_events e WHERE e.groupName = log_streams.groupName AND e.streamName = log_streams.name),
        lastEvent = (SELECT MAX(timestamp) FROM log_events e WHERE e.groupName = log_streams.groupName AND e.streamName = log_streams.name)
        WHERE groupName = ?`),
      touchStream: this.db.prepare(`UPDATE log_streams SET firstEvent = MIN(COALESCE(firstEvent, ?), ?), lastEvent = MAX(COALESCE(lastEvent, ?), ?),
        lastIngestion = ?, storedBytes = storedBytes + ? WHERE groupName = ? AND name = ?`),
    };
  }

  hasGroup(name: string): boolean {
    return this.statements.getGroup.get(name) !== undefined;
  }

  getGroup(name: string): LogGroupRow | undefined {
    const row = this.statements.getGroup.get(name) as Omit<LogGroupRow, 'storedBytes'> | undefined;
    return row && { ...row, storedBytes: this.storedBytes(name) };
  }

  createGroup(name: string, created: number, logGroupClass = 'STANDARD'): boolean {
    return this.store.transaction(() => this.db.prepare('INSERT OR IGNORE INTO log_groups (name, created, logGroupClass) VALUES (?, ?, ?)').run(name, created, logGroupClass).changes === 1);
  }

  deleteGroup(name: string): boolean {
    return this.store.transaction(() => {
      this.db.prepare('DELETE FROM log_events WHERE groupName = ?').run(name);
      this.db.prepare('DELETE FROM log_streams WHERE groupName = ?').run(name);
      return this.db.prepare('DELETE FROM log_groups WHERE name = ?').run(name).changes === 1;
    });
  }

  setRetention(name: string, days: number | null): void {
    this.store.transaction(() => this.db.prepare('UPDATE log_groups SET retentionInDays = ? WHERE name = ?').run(days, name));
  }

  /**
   * Deletes the group's events older than its retention (by event timestamp,
   * as CloudWatch Logs expires them) and recounts the streams they were in.
   * Called before every read of the group, so an expired event is never served.
   */
  expire(name: string, now: number): number {
    const group = this.statements.getGroup.get(name) as { retentionInDays: number | null } | undefined;
    if (!group || group.retentionInDays === null) return 0;
    const cutoff = now - group.retentionInDays * 86_400_000;
    // Most reads find nothing to expire: one indexed look before any write.
    if (this.statements.oldestEvent.get(name, cutoff) === undefined) return 0;
    return this.store.transaction(() => {
      const deleted = this.statements.deleteOlder.run(name, cutoff).changes;
      this.statements.recountStreams.run(name);
      return deleted;
    });
  }

  /** Groups by name, from `after` (exclusive), at most `limit`. */
  listGroups(options: { prefix?: string; contains?: string; after?: string; limit: number }): LogGroupRow[] {
    const where = ['1 = 1'];
    const args: unknown[] = [];
    if (options.prefix !== undefined) {
      where.push('substr(name, 1, ?) = ?');
      args.push(options.prefix.length, options.prefix);
    }
    if (options.contains !== undefined) {
      where.push('instr(lower(name), lower(?)) > 0');
      args.push(options.contains);
    }
    if (options.after !== undefined) {
      where.push('name > ?');
      args.push(options.after);
    }
    const rows = this.db.prepare(`SELECT * FROM log_groups WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`).all(...args, options.limit) as Omit<LogGroupRow, 'storedBytes'>[];
    return rows.map((row) => ({ ...row, storedBytes: this.storedBytes(row.name) }));
  }

  private storedBytes(groupName: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(storedBytes), 0) AS n FROM log_streams WHERE groupName = ?').get(groupName) as { n: number }).n;
  }

  getStream(groupName: string, name: string): LogStreamRow | undefined {
    return this.statements.getStream.get(groupName, name) as LogStreamRow | undefined;
  }

  createStream(groupName: string, name: string, created: number): boolean {
    return this.store.transaction(() => this.statements.insertStream.run(groupName, name, created).changes === 1);
  }

  /** Every stream of a group in the order DescribeLogStreams asks for. */
  listStreams(groupName: string, options: { prefix?: string; orderBy: 'LogStreamName' | 'LastEventTime'; descending: boolean }): LogStreamRow[] {
    const args: unknown[] = [groupName];
    let where = 'groupName = ?';
    if (options.prefix !== undefined) {
      where += ' AND substr(name, 1, ?) = ?';
      args.push(options.prefix.length, options.prefix);
    }
    const direction = options.descending ? 'DESC' : 'ASC';
    const order = options.orderBy === 'LastEventTime' ? `COALESCE(lastEvent, 0) ${direction}, name ${direction}` : `name ${direction}`;
    return this.db.prepare(`SELECT * FROM log_streams WHERE ${where} ORDER BY ${order}`).all(...args) as LogStreamRow[];
  }

  /**
   * Appends events to a stream that exists (PutLogEvents, the execution
   * logger), in this turn's group commit. Events keep their own timestamps;
   * the ingestion time is now.
   */
  putEvents(groupName: string, streamName: string, events: { timestamp: number; message: string }[], ingestion: number): void {
    if (events.length === 0) return;
    this.store.transaction(() => {
      let bytes = 0;
      let first = Infinity;
      let last = -Infinity;
      for (const event of events) {
        this.statements.insertEvent.run(groupName, streamName, event.timestamp, ingestion, event.message);
        // CloudWatch Logs counts an event as its UTF-8 message plus 26 bytes.
        bytes += Buffer.byteLength(event.message, 'utf8') + 26;
        first = Math.min(first, event.timestamp);
        last = Math.max(last, event.timestamp);
      }
      this.statements.touchStream.run(first, first, last, last, ingestion, bytes, groupName, streamName);
    });
  }

  /** Events in (timestamp, seq) order, keyset-paged, at most `limit`. */
  events(query: EventQuery, limit: number): LogEventRow[] {
    const where = ['groupName = ?'];
    const args: unknown[] = [query.groupName];
    if (query.streamNames && query.streamNames.length > 0) {
      where.push(`streamName IN (${query.streamNames.map(() => '?').join(', ')})`);
      args.push(...query.streamNames);
    }
    if (query.streamPrefix !== undefined) {
      where.push('substr(streamName, 1, ?) = ?');
      args.push(query.streamPrefix.length, query.streamPrefix);
    }
    if (query.startTime !== undefined) {
      where.push('timestamp >= ?');
      args.push(query.startTime);
    }
    if (query.endTime !== undefined) {
      where.push('timestamp <= ?');
      args.push(query.endTime);
    }
    if (query.after) {
      where.push('(timestamp > ? OR (timestamp = ? AND seq > ?))');
      args.push(query.after.timestamp, query.after.timestamp, query.after.seq);
    }
    if (query.before) {
      where.push('(timestamp < ? OR (timestamp = ? AND seq < ?))');
      args.push(query.before.timestamp, query.before.timestamp, query.before.seq);
    }
    const direction = query.descending ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare(`SELECT * FROM log_events WHERE ${where.join(' AND ')} ORDER BY timestamp ${direction}, seq ${direction} LIMIT ?`)
      .all(...args, limit) as LogEventRow[];
    return query.descending ? rows.reverse() : rows;
  }
}
