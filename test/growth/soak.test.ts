/**
 * Growth: many short sessions churned through each store, then left to
 * expire. Afterwards nothing is left behind (the memory store is empty and
 * under its bound, the SQL tables are swept to empty, every Redis key has a
 * TTL no later than its session's end), and at no point during the churn is
 * a live login refused because of dead records. CI runs a size that fits
 * (`SOAK_SESSIONS`, default 3000); `pnpm test:soak` runs 100,000.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLatchkey, MemoryStore, type SessionStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { postgresStore } from '@latchkey/sql/pg';
import { sqliteStore } from '@latchkey/sql/libsql';
import { redisStore } from '@latchkey/unstorage/redis';
import { createClient, pg } from '../../adapters/sql/test/support/drivers.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const TOTAL = Number(process.env.SOAK_SESSIONS ?? 3000);
const WAVE = Math.min(500, TOTAL); // sessions alive at once
const ORIGIN = 'https://app.example';
// A record is kept for `expiryNotice` past its deadline, so a returning user is told why it ended.
const policy = {
  name: 'soak',
  idleTimeout: '1m',
  absoluteTimeout: '2m',
  expiryNotice: '1m',
  renewInterval: false,
  rememberMe: false,
} as const;
/** Past every deadline and every notice window: nothing may be left. */
const LATER = '10m';

/** Log in `TOTAL` users in waves of `WAVE`, each wave expiring before the next; every login must succeed. */
async function churn(store: SessionStore, clock: ManualClock): Promise<number> {
  const engine = createLatchkey({ policy, store, clock, storeTimeout: '10s' });
  let refused = 0;
  for (let done = 0; done < TOTAL; done += WAVE) {
    const wave = Math.min(WAVE, TOTAL - done);
    const results = await Promise.allSettled(
      Array.from({ length: wave }, async (_, i) => {
        const rs = engine.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
        await rs.login(`user${done + i}`);
        await rs.flush();
      }),
    );
    refused += results.filter((r) => r.status === 'rejected').length;
    clock.advance('3m'); // the whole wave is past its absolute deadline and its notice window
  }
  return refused;
}

describe(`soak: ${TOTAL} short sessions`, { timeout: 600_000 }, () => {
  it('memory store: no login refused under a bound below the total, empty after expiry', async () => {
    const clock = new ManualClock(Date.now());
    const store = new MemoryStore({ clock, maxEntries: WAVE * 3 });
    expect(await churn(store, clock)).toBe(0);
    clock.advance(LATER);
    store.sweep();
    expect(store.size).toBe(0);
  });

  describe('SQL', () => {
    let postgres: PostgresServer;
    let pool: InstanceType<typeof pg.Pool>;
    let dir: string;
    beforeAll(async () => {
      postgres = await startPostgres();
      pool = new pg.Pool({ connectionString: postgres.url, max: 10 });
      dir = mkdtempSync(join(tmpdir(), 'latchkey-soak-'));
    });
    afterAll(async () => {
      await pool?.end();
      await postgres?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function emptyAfterSweeps(store: { sweep(): Promise<number> }) {
      // Each sweep deletes a bounded batch: sweep until one finds nothing.
      for (let i = 0; i < 10_000 && (await store.sweep()) > 0; i++);
    }

    it('SQLite: no login refused, the tables swept to empty', async () => {
      const clock = new ManualClock(Date.now());
      const store = sqliteStore({ url: `file:${join(dir, 'soak.db')}`, clock, sweepInterval: 0 });
      try {
        expect(await churn(store, clock)).toBe(0);
        clock.advance(LATER);
        await emptyAfterSweeps(store);
        const reader = createClient({ url: `file:${join(dir, 'soak.db')}` });
        try {
          const rows = await countRows(
            (sql) => reader.execute(sql).then((r) => Number(r.rows[0]![0])),
            store.tables,
          );
          expect(rows).toEqual([0, 0]);
        } finally {
          reader.close();
        }
      } finally {
        store.close();
      }
    });

    it('PostgreSQL: no login refused, the tables swept to empty', async () => {
      const clock = new ManualClock(Date.now());
      const store = postgresStore({ client: pool, clock, sweepInterval: 0 });
      await store.migrate();
      expect(await churn(store, clock)).toBe(0);
      clock.advance(LATER);
      await emptyAfterSweeps(store);
      const rows = await countRows(
        (sql) => pool.query(sql).then((r) => Number(Object.values(r.rows[0] as object)[0])),
        store.tables,
      );
      expect(rows).toEqual([0, 0]);
    });
  });

  describe('Redis', () => {
    let redis: RedisServer;
    let client: Redis;
    beforeAll(async () => {
      redis = await startRedis();
      client = new Redis(redis.url);
    });
    afterAll(async () => {
      client?.disconnect();
      await redis?.stop();
    });

    it('no login refused, and every key carries a TTL no later than its session’s end', async () => {
      const clock = new ManualClock(Date.now());
      expect(await churn(redisStore(client), clock)).toBe(0);
      // INFO keyspace: "db0:keys=N,expires=M,...": every key expires by itself.
      const info = await client.info('keyspace');
      const m = /keys=(\d+),expires=(\d+)/.exec(info);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(Number(m![2]));
      // Each no later than the absolute deadline (2 min) plus the notice window (1 min).
      const keys = await client.keys('*');
      const ttls = await Promise.all(keys.slice(0, 200).map((k) => client.pttl(k)));
      for (const ttl of ttls) {
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(3 * 60_000);
      }
    });
  });
});

/** Rows in both tables, by whatever query function the driver has. */
async function countRows(
  query: (sql: string) => Promise<number>,
  tables: { records: string; userIndex: string },
): Promise<number[]> {
  return Promise.all([
    query(`SELECT COUNT(*) FROM ${tables.records}`),
    query(`SELECT COUNT(*) FROM ${tables.userIndex}`),
  ]);
}
