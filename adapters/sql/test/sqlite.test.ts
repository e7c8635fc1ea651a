/**
 * sqliteStore on a real SQLite file through libSQL: the core's conformance
 * suite unchanged, the SQL store's own cases, and the faults a file brings
 * (another connection holding the write lock, the default folder).
 */
import { withSessions, createLatchkey, StoreError } from '@latchkey/core';
import { testStore } from '@latchkey/core/testing';
import { createClient, type Client } from '@libsql/client';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaSql } from '../src/index.js';
import { sqliteStore } from '../src/libsql.js';
import { freshPrefix, testSqlStore } from './sql-behaviour.js';

let dir: string;
let client: Client;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-sqlite-'));
  client = createClient({ url: `file:${join(dir, 'sessions.db')}`, concurrency: 1, timeout: 5000 });
  await sqliteStore({ client }).migrate();
});
afterAll(async () => {
  client?.close();
  await rm(dir, { recursive: true, force: true });
});

testStore('sqlite (libSQL, a temp file)', ({ clock }) => sqliteStore({ client, clock }), {
  capabilities: ['userIndex', 'consume', 'compareAndSet'],
});

testSqlStore('sqlite', (options) => sqliteStore({ client, autoMigrate: false, ...options }));

describe('sqliteStore on a file', () => {
  it('creates the folder and the tables by itself, and keeps the data across reopening', async () => {
    const url = `file:${join(dir, 'nested', 'deeper', 'app.db')}`;
    const first = sqliteStore({ url });
    await first.set('k', 'kept', 60_000);
    first.close();
    expect(existsSync(join(dir, 'nested', 'deeper', 'app.db'))).toBe(true);
    const second = sqliteStore({ url });
    try {
      expect(await second.get('k')).toBe('kept');
    } finally {
      second.close();
    }
  });

  it('runs in WAL mode with synchronous=NORMAL', async () => {
    const store = sqliteStore({ url: `file:${join(dir, 'wal.db')}` });
    try {
      await store.set('k', 'v', 60_000);
      const probe = createClient({ url: `file:${join(dir, 'wal.db')}` });
      expect((await probe.execute('PRAGMA journal_mode')).rows[0]![0]).toBe('wal');
      probe.close();
      expect(existsSync(join(dir, 'wal.db-wal'))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('rejects, after its busy timeout, a write while another connection holds the lock; the engine answers 503', async () => {
    const url = `file:${join(dir, 'locked.db')}`;
    const store = sqliteStore({ url, statementTimeout: 100 });
    await store.migrate();
    const holder = createClient({ url });
    const tx = await holder.transaction('write');
    await tx.execute({ sql: `INSERT INTO latchkey_records VALUES (x'00', x'00', 0)`, args: [] });
    try {
      await expect(store.set('k', 'v', 60_000)).rejects.toThrow(/SQLITE_BUSY|locked/);
      const latchkey = createLatchkey({
        policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
        store,
      });
      const events: string[] = [];
      const app = withSessions(latchkey, async ({ session }) => {
        try {
          await session.login('ada');
        } catch (error) {
          events.push(error instanceof StoreError ? error.code : String(error));
          throw error;
        }
        return new Response('logged in');
      });
      const response = await app(new Request('https://app.example/login', { method: 'POST' }));
      expect(response.status).toBe(503);
      expect(events).toEqual(['ERR_STORE_UNAVAILABLE']);
    } finally {
      await tx.rollback();
      holder.close();
    }
    await store.set('k', 'v', 60_000); // the lock is gone: writes work again
    expect(await store.get('k')).toBe('v');
    // ...and are committed: another connection sees them, and so does the file after closing.
    // (libSQL leaves a statement that failed busy in progress, and without reopening the
    // connection every later write sat in a transaction nobody committed.)
    const reader = createClient({ url });
    expect((await reader.execute('SELECT count(*) AS n FROM latchkey_records')).rows[0]!.n).toBe(1);
    reader.close();
    store.close();
    const reopened = sqliteStore({ url });
    expect(await reopened.get('k')).toBe('v');
    reopened.close();
  });

  it('a write that failed busy does not leave later writes uncommitted', async () => {
    // libSQL leaves a statement that failed with SQLITE_BUSY in progress until the garbage
    // collector finalizes it; until then every later write on that connection sat in a
    // transaction nobody committed: acknowledged, seen by the store itself, by nobody else.
    const url = `file:${join(dir, 'busy-then-free.db')}`;
    const store = sqliteStore({ url, statementTimeout: 50 });
    await store.set('session', 'before', 60_000);
    const holder = createClient({ url });
    const tx = await holder.transaction('write');
    await expect(store.set('session', 'during', 60_000)).rejects.toThrow(/SQLITE_BUSY|locked/);
    await tx.rollback();
    holder.close();
    await store.set('session', 'after', 60_000);
    expect(await store.get('session')).toBe('after');
    const other = sqliteStore({ url });
    try {
      expect(await other.get('session')).toBe('after');
    } finally {
      other.close();
      store.close();
    }
  });

  it('the documented schema is what migrate() creates', async () => {
    const store = sqliteStore({ client, tablePrefix: freshPrefix(), autoMigrate: false });
    const other = freshPrefix();
    await client.executeMultiple(schemaSql('sqlite', other));
    const fromDocs = sqliteStore({ client, tablePrefix: other, autoMigrate: false });
    await fromDocs.set('k', 'v', 60_000);
    expect(await fromDocs.consume('k')).toBe('v');
    await expect(store.get('k')).rejects.toThrow(/does not exist/);
  });
});
