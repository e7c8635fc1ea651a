/**
 * SQL store faults, on the real things: the Hono app on Node over
 * `postgresStore` with PostgreSQL paused (SIGSTOP of the server and every
 * backend), and over `sqliteStore` with its file locked by another writer.
 * Every request is counted by status in each phase.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresStore } from '@latchkey/sql/pg';
import { sqliteStore } from '@latchkey/sql/libsql';
import { createClient, pg } from '../../adapters/sql/test/support/drivers.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { Client, startFaultApp, tally, type FaultApp } from './fault-app.js';

const CLIENTS = 4;

async function signIn(app: FaultApp): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = new Client(app.origin);
    await c.login(`user${i}`);
    clients.push(c);
  }
  return clients;
}
const each = (clients: Client[], kind: 'read' | 'write') =>
  Promise.all(clients.map((c) => c.call(kind)));
const counts = async (clients: Client[]) =>
  (await each(clients, 'read')).map((a) => (a.body as { n: number }).n);

describe('PostgreSQL paused', () => {
  let server: PostgresServer;
  let pool: InstanceType<typeof pg.Pool>;
  let app: FaultApp;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
    pool.on('error', () => {});
    const store = postgresStore({ client: pool, statementTimeout: 1000 });
    await store.migrate();
    app = await startFaultApp(store);
  });
  afterAll(async () => {
    await app?.close();
    await server?.resume().catch(() => {});
    await pool?.end().catch(() => {});
    await server?.stop();
  });

  it('every read and write answers 503 while the server is stopped; afterwards every session is valid', async () => {
    const clients = await signIn(app);
    await each(clients, 'write');
    const before = await counts(clients);
    await server.pause();
    let answers;
    try {
      answers = [...(await each(clients, 'read')), ...(await each(clients, 'write'))];
    } finally {
      await server.resume();
    }
    expect(tally(answers)).toEqual({ 503: 2 * CLIENTS });
    expect(answers.filter((a) => a.cleared)).toEqual([]);
    // A write sent during the pause committed whole or not at all (it runs in one transaction
    // committed only within the store's deadline).
    const end = Date.now() + 20_000;
    while ((await clients[0]!.call('read')).status !== 200) {
      if (Date.now() > end) throw new Error('no recovery within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await counts(clients);
    after.forEach((n, i) => expect([before[i], before[i]! + 1]).toContain(n));
    expect(tally(await each(clients, 'write'))).toEqual({ 200: CLIENTS });
  });
});

describe('SQLite locked by another writer', () => {
  let dir: string;
  let app: FaultApp;
  let store: ReturnType<typeof sqliteStore>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-sqlite-faults-'));
    // A short busy timeout: libSQL's local driver waits for a lock on the event loop itself.
    store = sqliteStore({ url: `file:${join(dir, 'sessions.db')}`, statementTimeout: 100 });
    // The engine's own default-sized timeout. (A write that failed busy used to leave libSQL's
    // connection with a statement in progress, and later acknowledged writes went missing; the
    // store now reopens the connection after a failure: adapters/sql/test/sqlite.test.ts.)
    app = await startFaultApp(store, '300ms');
  });
  afterAll(async () => {
    await app?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes answer 503 while the lock is held, reads still work (WAL), and nothing is half-written', async () => {
    const clients = await signIn(app);
    const before = await counts(clients);
    const locker = createClient({ url: `file:${join(dir, 'sessions.db')}` });
    const tx = await locker.transaction('write'); // BEGIN IMMEDIATE: holds the write lock
    let reads;
    let writes;
    try {
      reads = await each(clients, 'read');
      writes = await each(clients, 'write');
    } finally {
      await tx.rollback();
      locker.close();
    }
    expect(tally(reads)).toEqual({ 200: CLIENTS });
    expect(tally(writes)).toEqual({ 503: CLIENTS });
    expect(writes.filter((a) => a.cleared)).toEqual([]);
    expect(await counts(clients)).toEqual(before);
    expect(tally(await each(clients, 'write'))).toEqual({ 200: CLIENTS });
    expect(await counts(clients)).toEqual(before.map((n) => n + 1));
  });
});
