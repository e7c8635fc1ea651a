/** The PostgreSQL pool and session store, with the table created if it is missing. */

import pg from 'pg';
import type { Clock } from '@latchkey/core';
import { postgresStore } from '@latchkey/sql/pg';

export interface PostgresOptions {
  /** The store's clock, which must be the engine's. Default: the system clock. */
  clock?: Clock;
  /** Default: a warning on the console. */
  onError?: (error: Error) => void;
}

/**
 * A pool on `url` and its session store, migrated (`CREATE TABLE IF NOT EXISTS`, safe to run on
 * every start). pg emits 'error' when an idle connection drops, and an unheard one ends the
 * process, so one is always listened to; requests meanwhile fail closed with 503.
 *
 * @example
 * const { pool, store } = await connectPostgres(process.env.DATABASE_URL!);
 */
export async function connectPostgres(url: string, options: PostgresOptions = {}) {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2_000 });
  pool.on('error', options.onError ?? ((error) => console.warn('postgres:', error.message)));
  const store = postgresStore({ client: pool, ...(options.clock ? { clock: options.clock } : {}) });
  await store.migrate();
  return { pool, store };
}
