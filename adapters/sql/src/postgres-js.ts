/**
 * @latchkey/sql/postgres: the SQL store on PostgreSQL through postgres.js
 * (`postgres`), the `sql` function you already have. Nothing here imports
 * `postgres`: the store only calls the object it is given.
 */

import { ConfigError } from '@latchkey/core';
import { statementTimeoutOf, withDeadline } from './deadline.js';
import type { SqlClient, SqlParam } from './sql-client.js';
import { sqlStore, type SqlSessionStore, type SqlStoreOptions } from './sql-store.js';

/** A pending postgres.js query: a promise of rows that can be cancelled on the server. */
interface PostgresJsQuery extends Promise<Record<string, unknown>[]> {
  cancel(): void;
  simple(): PostgresJsQuery;
}

/** What a postgres.js transaction offers the store. */
interface PostgresJsTransaction {
  unsafe(text: string, params?: SqlParam[]): PostgresJsQuery;
}

/** The part of a postgres.js `sql` instance the store uses. */
export interface PostgresJsSql extends PostgresJsTransaction {
  begin<T>(fn: (tx: PostgresJsTransaction) => Promise<T>): Promise<T>;
}

/** Options for {@link postgresJsStore}. */
export interface PostgresJsStoreOptions extends SqlStoreOptions {
  /** The `sql` function `postgres(url)` returned. */
  sql: PostgresJsSql;
  /**
   * Most time one operation may take, in ms, waiting for a connection
   * included; then it rejects, the engine answers 503 and the statement is
   * cancelled on the server. A write that rejected never lands later: it
   * runs in a transaction under `SET LOCAL statement_timeout`, committed only
   * within the deadline. Default 5000.
   */
  statementTimeout?: number;
}

const who = 'postgresJsStore';

/**
 * Wrap a postgres.js `sql` instance as a {@link SqlClient}.
 *
 * @example
 * const client = postgresJsClient(postgres(process.env.DATABASE_URL));
 */
export function postgresJsClient(
  sql: PostgresJsSql,
  options: { statementTimeout?: number } = {},
): SqlClient {
  if (!sql || typeof sql.unsafe !== 'function' || typeof sql.begin !== 'function') {
    throw new ConfigError(`${who}: sql must be a postgres.js instance (postgres(url))`);
  }
  const ms = statementTimeoutOf(who, options.statementTimeout);
  return {
    dialect: 'postgres',
    async query(text, params, options) {
      if (!options?.write) {
        const query = sql.unsafe(text, [...params]);
        return [...(await withDeadline(who, ms, query, () => query.cancel()))];
      }
      let late = false;
      let running: PostgresJsQuery | undefined;
      const work = sql.begin(async (tx) => {
        running = tx.unsafe(text, [...params]);
        // Sent together (postgres.js pipelines them): the timeout is set before the statement runs.
        const [, rows] = await Promise.all([
          tx.unsafe(`SET LOCAL statement_timeout = ${ms}`),
          running,
        ]);
        if (late) throw new Error(`${who}: statement timed out after ${ms} ms (statementTimeout)`);
        return [...rows]; // begin commits when this resolves, rolls back when it throws
      });
      return withDeadline(who, ms, work, () => {
        late = true;
        running?.cancel();
      });
    },
    async exec(script) {
      // The simple protocol runs the statements as one transaction.
      const query = sql.unsafe(script).simple();
      await withDeadline(who, Math.max(ms, 30_000), query, () => query.cancel());
    },
  };
}

/**
 * A session store with every capability on PostgreSQL through postgres.js.
 * Run `await store.migrate()` once (or apply `schemaSql('postgres')` yourself).
 *
 * @example
 * import postgres from 'postgres';
 * const sql = postgres(process.env.DATABASE_URL, { connection: { statement_timeout: 5000 } });
 * const store = postgresJsStore({ sql });
 * await store.migrate();
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 */
export function postgresJsStore(options: PostgresJsStoreOptions): SqlSessionStore {
  const { sql, statementTimeout, ...rest } = options ?? ({} as PostgresJsStoreOptions);
  return sqlStore(postgresJsClient(sql, { statementTimeout }), rest);
}
