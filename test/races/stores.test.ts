/**
 * The race suite on the memory store, Redis, PostgreSQL and SQLite (real servers, real files);
 * deno.test.ts and workers.test.ts run the same cases on Deno KV and the Durable Object store.
 */

import { afterAll, beforeAll } from 'vitest';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, type SessionStore } from '@latchkey/core';
import { postgresStore } from '@latchkey/sql/pg';
import { sqliteStore } from '@latchkey/sql/libsql';
import { redisStore } from '@latchkey/unstorage/redis';
import { pg } from '../../adapters/sql/test/support/drivers.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { raceSuite } from './race-suite.js';

let redis: RedisServer;
let client: Redis;
let postgres: PostgresServer;
let pool: InstanceType<typeof pg.Pool>;
let pgStore: SessionStore;
let dir: string;
let sqlite: ReturnType<typeof sqliteStore>;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  client = new Redis(redis.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 10 });
  const store = postgresStore({ client: pool });
  await store.migrate();
  pgStore = store;
  dir = mkdtempSync(join(tmpdir(), 'latchkey-races-'));
  sqlite = sqliteStore({ url: `file:${join(dir, 'sessions.db')}` });
});
afterAll(async () => {
  client?.disconnect();
  await pool?.end();
  sqlite?.close();
  await Promise.all([redis?.stop(), postgres?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

raceSuite('the memory store', () => ({ store: new MemoryStore() }));
raceSuite('Redis', () => ({ store: redisStore(client) }));
raceSuite('PostgreSQL', () => ({ store: pgStore }));
raceSuite('SQLite', () => ({ store: sqlite }));
