/**
 * The SQL store on a real PostgreSQL (a throwaway cluster from Debian's
 * binaries) through both clients people use, node-postgres and postgres.js:
 * the core's conformance suite unchanged on each, the SQL store's own cases,
 * and the faults: a statement stuck behind a lock, and a server that stops.
 */
import { createLatchkey, isStoreError, withSessions } from '@latchkey/core';
import { testStore } from '@latchkey/core/testing';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { schemaSql } from '../src/index.js';
import { postgresStore } from '../src/pg.js';
import { postgresJsStore } from '../src/postgres-js.js';
import { freshPrefix, testSqlStore } from './sql-behaviour.js';

const capabilities = ['userIndex', 'consume', 'compareAndSet'] as const;

let server: PostgresServer;
let pool: pg.Pool;
let single: pg.Client;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 10 });
  pool.on('error', () => {}); // an idle connection dropped; the next query reports it
  single = new pg.Client({ connectionString: server.url });
  single.on('error', () => {}); // dropped when the last test stops the server
  await single.connect();
  sql = postgres(server.url, { max: 10, onnotice: () => {} });
  await postgresStore({ client: pool }).migrate();
});
afterAll(async () => {
  await pool?.end();
  await single?.end();
  await sql?.end({ timeout: 1 });
  await server?.stop();
});

testStore('postgres (pg)', ({ clock }) => postgresStore({ client: pool, clock }), {
  capabilities,
});
// One connection: the store queues its statements so transactions never interleave.
testStore('postgres (pg, one Client)', ({ clock }) => postgresStore({ client: single, clock }), {
  capabilities,
});
testStore('postgres (postgres.js)', ({ clock }) => postgresJsStore({ sql, clock }), {
  capabilities,
});

testSqlStore('postgres (pg)', (options) => postgresStore({ client: pool, ...options }));
testSqlStore('postgres (postgres.js)', (options) => postgresJsStore({ sql, ...options }));

describe('postgres stores', () => {
  it('share one database: a value written through pg is read through postgres.js', async () => {
    await postgresStore({ client: pool }).set('shared', 'ünï \u0000 code', 60_000);
    expect(await postgresJsStore({ sql }).consume('shared')).toBe('ünï \u0000 code');
  });

  it('the documented schema is what migrate() creates', async () => {
    const prefix = freshPrefix();
    await pool.query(schemaSql('postgres', prefix));
    const store = postgresStore({ client: pool, tablePrefix: prefix });
    expect(await store.compareAndSet('k', null, 'v', 60_000)).toBe(true);
    const { rows } = await pool.query(
      `SELECT indexname FROM pg_indexes WHERE tablename LIKE '${prefix}%' ORDER BY indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual([
      `${prefix}records_expires_at`,
      `${prefix}records_pkey`,
      `${prefix}user_index_expires_at`,
      `${prefix}user_index_pkey`,
    ]);
  });

  it('reads a record with one primary-key lookup', async () => {
    const { rows } = await pool.query(
      `EXPLAIN SELECT value FROM latchkey_records WHERE key = $1 AND expires_at > $2`,
      [Buffer.from('k'), Date.now()],
    );
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
      /Index Scan using latchkey_records_pkey/,
    );
  });

  for (const [name, make] of [
    ['pg', () => postgresStore({ client: pool, statementTimeout: 200 })],
    ['pg, one Client', () => postgresStore({ client: single, statementTimeout: 200 })],
    ['postgres.js', () => postgresJsStore({ sql, statementTimeout: 200 })],
  ] as const) {
    it(`${name}: a statement stuck behind another transaction's lock rejects after statementTimeout`, async () => {
      const store = make();
      await store.set('locked', 'v0', 60_000);
      const holder = await pool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT * FROM latchkey_records WHERE key = $1 FOR UPDATE`, [
          Buffer.from('locked'),
        ]);
        await expect(store.compareAndSet('locked', 'v0', 'v1', 60_000)).rejects.toThrow(
          /statement timed out after 200 ms|timeout|cancel/i,
        );
      } finally {
        await holder.query('ROLLBACK');
        holder.release();
      }
      expect(await store.compareAndSet('locked', 'v0', 'v1', 60_000)).toBe(true);
    });
  }
});

describe('a stopped PostgreSQL', () => {
  it('makes an engine request answer 503 through withSessions (not hang, not 500), and recovers when it is back', async () => {
    const own = new pg.Pool({ connectionString: server.url, max: 2 });
    own.on('error', () => {});
    const ownJs = postgres(server.url, { max: 2, onnotice: () => {} });
    try {
      for (const store of [
        postgresStore({ client: own, statementTimeout: 2_000 }),
        postgresJsStore({ sql: ownJs, statementTimeout: 2_000 }),
      ]) {
        const latchkey = createLatchkey({
          policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
          store,
          cookie: { development: true, warn: () => {} },
        });
        const app = withSessions(latchkey, async ({ request, session }) => {
          if (new URL(request.url).pathname === '/login') {
            await session.login('ada');
            return new Response('in');
          }
          const outcome = await session.load();
          return new Response(outcome.valid ? outcome.session.userId : 'nobody', {
            status: outcome.valid ? 200 : 401,
          });
        });
        const login = await app(new Request('http://app.test/login', { method: 'POST' }));
        expect(login.status).toBe(200);
        const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
        const me = () => app(new Request('http://app.test/me', { headers: { cookie } }));
        expect((await me()).status).toBe(200);

        await server.kill();
        try {
          const down = await me();
          expect(down.status).toBe(503);
          const loginDown = await app(new Request('http://app.test/login', { method: 'POST' }));
          expect(loginDown.status).toBe(503);
        } finally {
          await server.restart();
        }
        const back = await me();
        expect([back.status, await back.text()]).toEqual([200, 'ada']);
      }
    } finally {
      await own.end();
      await ownJs.end({ timeout: 1 });
    }
  });

  it('surfaces a refused connection as a rejection the engine calls a StoreError', async () => {
    const nowhere = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:1/postgres` });
    nowhere.on('error', () => {});
    const latchkey = createLatchkey({
      policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
      store: postgresStore({ client: nowhere }),
    });
    const rs = latchkey.forRequest(new Request('https://app.example/login', { method: 'POST' }));
    const error = await rs.login('ada').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isStoreError(error)).toBe(true);
    await nowhere.end();
  });
});
