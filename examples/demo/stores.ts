/**
 * Which store the demo runs on: embedded SQLite under the data folder by
 * default (nothing to install, sessions survive a restart), Redis when
 * `REDIS_URL` is set, PostgreSQL when `DATABASE_URL` is. Each client fails
 * fast when its server is gone, so the engine answers 503 rather than hang.
 */

import type { SessionStore } from '@latchkey/core';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface OpenedStore {
  readonly store: SessionStore;
  /** What the dashboard says is in use, with no password in it. */
  readonly label: string;
  close(): Promise<void>;
}

export interface StoreChoice {
  dataDir: string;
  redisUrl?: string | undefined;
  databaseUrl?: string | undefined;
}

/** A URL with its password replaced by `***`, for display. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function openStore(choice: StoreChoice): Promise<OpenedStore> {
  if (choice.redisUrl && choice.databaseUrl)
    throw new Error('set REDIS_URL or DATABASE_URL, not both');
  if (choice.redisUrl) {
    const [{ default: Redis }, { redisStore }] = await Promise.all([
      import('ioredis'),
      import('@latchkey/unstorage'),
    ]);
    const client = new Redis(choice.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 400, // below the engine's 500 ms storeTimeout
      lazyConnect: true,
    });
    client.on('error', () => {}); // an outage is answered 503 per request; not a crash
    await client.connect();
    return {
      store: redisStore(client, { prefix: 'latchkey-demo:' }),
      label: `Redis (${redact(choice.redisUrl)})`,
      close: async () => void client.disconnect(),
    };
  }
  if (choice.databaseUrl) {
    const [{ default: pg }, { postgresStore }] = await Promise.all([
      import('pg'),
      import('@latchkey/sql/pg'),
    ]);
    const pool = new pg.Pool({ connectionString: choice.databaseUrl, max: 10 });
    pool.on('error', () => {});
    const store = postgresStore({ client: pool, statementTimeout: 400 }); // below the engine's 500 ms
    await store.migrate();
    return {
      store,
      label: `PostgreSQL (${redact(choice.databaseUrl)})`,
      close: () => pool.end(),
    };
  }
  const { sqliteStore } = await import('@latchkey/sql/libsql');
  const file = join(choice.dataDir, 'sessions.db');
  // SQLite's busy timeout below the engine's 500 ms storeTimeout: SQLite gives up first (docs/stores.md).
  const store = sqliteStore({ url: pathToFileURL(file).href, statementTimeout: 250 });
  return {
    store,
    label: `SQLite (${file})`,
    close: async () => store.close(),
  };
}
