/**
 * The store's layout over time: a data dir written by an earlier deliv opens
 * and is migrated in place (never wiped), a newer one is refused, and history
 * events survive the compact encoding exactly.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
} from '@aws-sdk/client-sfn';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/engine/types.js';
import { decodeEvent, encodeEvent } from '../../src/local/history-codec.js';
import { backupPath, DATABASE_FILE, latestBackup, SCHEMA_VERSION, Store } from '../../src/local/store.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { finished, testEmulator } from '../helpers/emulator.js';

/** Written by deliv before store migrations existed (commit ffd9f99): 3 finished executions, one waiting in a Wait state. */
const V0_STORE = path.join(REPO_ROOT, 'test/fixtures/store-v0/emulator.db');
const ACCOUNT = 'arn:aws:states:us-east-1:123456789012';
const MACHINE = {
  arn: `${ACCOUNT}:stateMachine:orders`,
  name: 'orders',
  type: 'STANDARD' as const,
  definition: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}',
  roleArn: 'arn:aws:iam::123456789012:role/R',
  description: '',
  loggingConfiguration: '{}',
  tracingConfiguration: '{}',
  revisionId: 'r1',
  created: 1,
  updated: 1,
};

describe('store migrations', () => {
  it('opens a data dir of the schema before migrations, keeps its executions and histories, and resumes the running one', async () => {
    const { dir, cleanup } = tempDir('deliv-store-v0-');
    mkdirSync(path.join(dir, '.deliv'));
    copyFileSync(V0_STORE, path.join(dir, '.deliv', DATABASE_FILE));
    const t = await testEmulator({ root: dir });
    try {
      expect(t.emulator.resumed).toBe(1);
      const ana = await t.sfn.send(new DescribeExecutionCommand({ executionArn: `${ACCOUNT}:execution:greeter:hello-ana` }));
      expect(ana).toMatchObject({ status: 'SUCCEEDED', input: '{"who":"ana"}', output: '{"hello":"ana"}' });
      const history = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: ana.executionArn }))).events!;
      expect(history.map((event) => event.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
      expect(history[0]).toMatchObject({ id: 1, previousEventId: 0, executionStartedEventDetails: { input: '{"who":"ana"}', inputDetails: { truncated: false } } });
      const listed = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: `${ACCOUNT}:stateMachine:greeter` }));
      expect(listed.executions!.map((execution) => execution.name)).toEqual(['hello-carla', 'hello-bruno', 'hello-ana']);
      const versions = await t.sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: `${ACCOUNT}:stateMachine:greeter` }));
      expect(versions.stateMachineVersions).toHaveLength(1);

      const held = await finished(t.sfn, `${ACCOUNT}:execution:waiter:held`);
      expect(held).toMatchObject({ status: 'SUCCEEDED', output: '{"order":7,"state":"finished"}' });
      const heldHistory = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: held.executionArn }))).events!;
      expect(heldHistory.map((event) => event.id)).toEqual(heldHistory.map((_, i) => i + 1));
    } finally {
      await t.close();
    }
    const db = new Database(path.join(dir, '.deliv', DATABASE_FILE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    // The store as it was before the migration is kept.
    expect(latestBackup(path.join(dir, '.deliv'))).toMatch(/emulator-schema0-.*\.db$/);
    cleanup();
  });

  it('refuses a store written by a newer deliv instead of guessing at it', () => {
    const { dir, cleanup } = tempDir('deliv-store-new-');
    const db = new Database(path.join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new Store(dir)).toThrow(/written by a newer deliv/);
    cleanup();
  });
});

describe('a data dir it cannot trust', () => {
  it('refuses a WAL whose database is gone instead of starting an empty store over it', () => {
    const { dir, cleanup } = tempDir('deliv-store-wal-');
    writeFileSync(path.join(dir, `${DATABASE_FILE}-wal`), 'frames of a store that is gone');
    expect(() => new Store(dir)).toThrow(/is missing but its write-ahead log/);
    expect(existsSync(path.join(dir, DATABASE_FILE))).toBe(false);
    cleanup();
  });

  it('refuses a damaged database, leaves it as it is and names the newest backup', () => {
    const { dir, cleanup } = tempDir('deliv-store-bad-');
    const store = new Store(dir);
    store.putMachine(MACHINE);
    const backup = store.backup(backupPath(dir, 'backup'));
    store.close();
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(path.join(dir, DATABASE_FILE), garbage);
    let error: (Error & { hint?: string }) | undefined;
    try {
      new Store(dir).close();
    } catch (caught) {
      error = caught as Error & { hint?: string };
    }
    expect(error?.message).toMatch(/is damaged/);
    expect(error?.hint).toContain(backup);
    expect(readFileSync(path.join(dir, DATABASE_FILE))).toEqual(garbage);
    cleanup();
  });

  it('leaves everything in the .db file once closed, and a backup holds the store', () => {
    const { dir, cleanup } = tempDir('deliv-store-close-');
    const store = new Store(dir);
    store.putMachine(MACHINE);
    const backup = store.backup(backupPath(dir, 'backup'));
    store.putMachine({ ...MACHINE, arn: `${ACCOUNT}:stateMachine:later`, name: 'later' });
    store.close();
    // The .db alone, copied elsewhere, is the whole store.
    const copy = tempDir('deliv-store-copy-');
    copyFileSync(path.join(dir, DATABASE_FILE), path.join(copy.dir, DATABASE_FILE));
    const reopened = new Store(copy.dir);
    expect(reopened.listMachines().map((machine) => machine.name)).toEqual(['later', 'orders']);
    reopened.close();
    const restored = tempDir('deliv-store-restored-');
    copyFileSync(backup, path.join(restored.dir, DATABASE_FILE));
    const fromBackup = new Store(restored.dir);
    expect(fromBackup.listMachines().map((machine) => machine.name)).toEqual(['orders']);
    fromBackup.close();
    for (const temp of [copy, restored]) temp.cleanup();
    cleanup();
  });
});

describe('history encoding', () => {
  const started = Date.parse('2026-01-02T03:04:05.000Z');
  const names = new Map<number, string>();
  const ids = new Map<string, number>();
  const intern = (text: string) => {
    if (!ids.has(text)) {
      ids.set(text, ids.size + 1);
      names.set(ids.size, text);
    }
    return ids.get(text)!;
  };
  const roundTrip = (event: HistoryEvent) => {
    const encoded = encodeEvent(event, started);
    const stored = { id: Number(event.id), previous: encoded.previous, offset: encoded.offset, type: intern(encoded.type), key: encoded.key === null ? null : intern(encoded.key), flags: encoded.flags, details: encoded.details };
    return decodeEvent(stored, started, (id) => names.get(id)!);
  };

  it('gives back every event as it was given, whatever its shape', () => {
    const at = new Date(started + 1234);
    const events = [
      { id: 1, previousEventId: 0, timestamp: at, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}', inputDetails: { truncated: false }, roleArn: 'r' } },
      { id: 7, previousEventId: 3, timestamp: at, type: 'TaskSucceeded', taskSucceededEventDetails: { output: '"x"', outputDetails: { truncated: true }, resource: 'invoke' } },
      { id: 8, timestamp: at, type: 'MapIterationStarted', mapIterationStartedEventDetails: { name: 'M', index: 0 } },
      { id: 9, previousEventId: 8, timestamp: new Date(started - 5), type: 'WaitStateAborted' },
      { id: 10, previousEventId: 9, timestamp: at, type: 'PassStateExited', stateExitedEventDetails: { name: 'P', output: '1', outputDetails: { truncated: false } }, extra: { kept: true } },
      { id: 11, previousEventId: 10, timestamp: at, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'inputDetails only', inputDetails: { truncated: false } } },
    ] as unknown as HistoryEvent[];
    for (const event of events) expect(roundTrip(event)).toEqual(event);
  });
});

describe('machines as the store gives them back', () => {
  it('reflect every change, a rolled-back one not at all, and a copy edited by its reader changes nothing', () => {
    const { dir, cleanup } = tempDir('deliv-store-machines-');
    const store = new Store(dir);
    try {
      store.putMachine(MACHINE);
      const read = store.getMachine(MACHINE.arn)!;
      read.definition = 'edited by the caller';
      expect(store.getMachine(MACHINE.arn)!.definition).toBe(MACHINE.definition);

      const updated = { ...MACHINE, definition: '{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}', revisionId: 'r2', updated: 2 };
      store.putMachine(updated);
      expect(store.getMachine(MACHINE.arn)).toMatchObject({ definition: updated.definition, revisionId: 'r2' });

      // An update inside a transaction that fails is not what the next reader sees, though it read it inside.
      expect(() =>
        store.transaction(() => {
          store.putMachine({ ...updated, definition: '{"rolled":"back"}', revisionId: 'r3' });
          expect(store.getMachine(MACHINE.arn)!.revisionId).toBe('r3');
          throw new Error('refused');
        }),
      ).toThrow('refused');
      expect(store.getMachine(MACHINE.arn)!.revisionId).toBe('r2');

      expect([store.nextVersionNumber(MACHINE.arn), store.nextVersionNumber(MACHINE.arn)]).toEqual([1, 2]);
      store.deleteMachine(MACHINE.arn);
      expect(store.getMachine(MACHINE.arn)).toBeUndefined();
    } finally {
      store.close();
      cleanup();
    }
  });
});
