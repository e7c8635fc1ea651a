/**
 * @latchkey/sql/pg: the SQL store on PostgreSQL through node-postgres (`pg`),
 * a `Pool` or a connected `Client` you already have. Nothing here imports
 * `pg`: the store only calls the object it is given.
 */

import { ConfigError } from '@latchkey/core';
import { statementTimeoutOf, withDeadline } from './deadline.js';
import type { SqlClient, SqlRow } from './sql-client.js';
import { sqlStore, type SqlSessionStore, type SqlStoreOptions } from './sql-store.js';

interface PgQueryConfig {
  text: string;
  values?: unknown[];
  query_timeout?: number;
}
type PgResult = Promise<{ rows: SqlRow[] }>;

/** One connection checked out of a `pg` `Pool`; `release(error)` destroys it. */
export interface PgPoolClient {
  query(config: PgQueryConfig | string): PgResult;
  release(error?: Error | boolean): void;
}

/** The part of a `pg` `Pool` or `Client` the store uses. */
export interface PgQueryable {
  query(config: PgQueryConfig | string): PgResult;
  /** A `Pool` checks out a connection; a `Client` connects itself (then the store never calls it). */
  connect?(): Promise<unknown>;
}

/** Options for {@link postgresStore}. */
export interface PostgresStoreOptions extends SqlStoreOptions {
  /** A `pg` `Pool` (recommended) or connected `Client`. */
  client: PgQueryable;
  /**
   * Most time one operation may take, in ms, waiting for a connection
   * included; then it rejects and the engine answers 503. A write that
   * rejected never lands later: it runs in a transaction committed only
   * within the deadline, under `SET LOCAL statement_timeout`. Default 5000.
   */
  statementTimeout?: number;
}

const who = 'postgresStore';
const isPool = (c: PgQueryable): boolean => 'idleCount' in c && typeof c.connect === 'function';

/** How a write's transaction ended, for the caller deciding whether to keep the connection. */
interface Attempt {
  /** The deadline has passed: commit nothing. */
  readonly late: boolean;
  /** The connection is being destroyed, which rolls back by itself. */
  readonly dropped: boolean;
  /** Set once a failed transaction was rolled back, leaving the connection fit for reuse. */
  rolledBack: boolean;
}

/** A write in its own transaction on one connection, committed only if it is not late. */
async function transact(
  conn: Pick<PgPoolClient, 'query'>,
  ms: number,
  config: PgQueryConfig,
  attempt: Attempt,
): Promise<SqlRow[]> {
  // One simple-protocol message: the transaction is open and timed before the statement is sent.
  await conn.query(`BEGIN; SET LOCAL statement_timeout = ${ms}`);
  try {
    const { rows } = await conn.query(config);
    if (attempt.late)
      throw new Error(`${who}: statement timed out after ${ms} ms (statementTimeout)`);
    await conn.query('COMMIT');
    return rows;
  } catch (error) {
    if (!attempt.dropped) {
      await conn.query('ROLLBACK');
      attempt.rolledBack = true;
    }
    throw error;
  }
}

/**
 * Wrap a `pg` `Pool` or `Client` as a {@link SqlClient}.
 *
 * @example
 * const client = pgClient(new Pool({ connectionString }), { statementTimeout: 2000 });
 */
export function pgClient(
  client: PgQueryable,
  options: { statementTimeout?: number } = {},
): SqlClient {
  if (!client || typeof client.query !== 'function') {
    throw new ConfigError(
      `${who}: client must be a pg Pool or Client (new Pool({ connectionString }))`,
    );
  }
  const ms = statementTimeoutOf(who, options.statementTimeout);
  const pool = isPool(client) ? (client as unknown as { connect(): Promise<PgPoolClient> }) : null;

  // A lone Client is one connection: its transactions must not interleave, so they queue here.
  let queue: Promise<unknown> = Promise.resolve();
  const onClient = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => {});
    return next;
  };

  const write = (config: PgQueryConfig): Promise<SqlRow[]> => {
    const attempt = { late: false, dropped: false, rolledBack: false };
    if (!pool) {
      const work = onClient(() => transact(client, ms, config, attempt));
      return withDeadline(who, ms, work, () => {
        attempt.late = true;
      });
    }
    let conn: PgPoolClient | undefined;
    const release = (error?: Error) => {
      if (!conn || attempt.dropped) return;
      // pg-pool destroys a connection released with an error; nothing uncommitted on it survives.
      if (error) attempt.dropped = true;
      conn.release(error);
      conn = undefined;
    };
    const work = (async () => {
      conn = await pool.connect();
      if (attempt.late) return (release(), []);
      try {
        const rows = await transact(conn, ms, config, attempt);
        release();
        return rows;
      } catch (error) {
        release(
          attempt.rolledBack ? undefined : new Error('failed mid-transaction', { cause: error }),
        );
        throw error;
      }
    })();
    return withDeadline(who, ms, work, () => {
      attempt.late = true;
      release(new Error('statementTimeout'));
    });
  };

  return {
    dialect: 'postgres',
    async query(text, params, opts) {
      if (opts?.write) return write({ text, values: [...params] });
      // A read has no effect to undo: pg's own timeout drops a connection that stalls.
      const config = { text, values: [...params], query_timeout: ms };
      const read = pool ? client.query(config) : onClient(() => client.query(config));
      return (await withDeadline(who, ms, read)).rows;
    },
    async exec(script) {
      // No values: pg sends a simple query, so the statements run as one transaction.
      const run = () => client.query(script);
      await withDeadline(who, Math.max(ms, 30_000), pool ? run() : onClient(run));
    },
  };
}

/**
 * A session store with every capability on PostgreSQL through `pg`. Run
 * `await store.migrate()` once (or apply `schemaSql('postgres')` yourself).
 * Give the pool an `error` listener: pg emits one when an idle connection
 * drops, and an unheard one ends the process.
 *
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', () => {}); // a dropped idle connection; requests still fail closed with 503
 * const store = postgresStore({ client: pool });
 * await store.migrate();
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 */
export function postgresStore(options: PostgresStoreOptions): SqlSessionStore {
  const { client, statementTimeout, ...rest } = options ?? ({} as PostgresStoreOptions);
  return sqlStore(pgClient(client, { statementTimeout }), rest);
}
