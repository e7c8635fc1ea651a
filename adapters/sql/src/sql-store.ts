/**
 * A `SessionStore` with every capability on any {@link SqlClient}: TTLs as an
 * `expires_at` column checked against the injected clock on every read,
 * consume-once as `DELETE … RETURNING`, compare-and-set as a guarded
 * `UPDATE` or `INSERT … ON CONFLICT`, and a per-user index table whose members
 * expire on their own. Expired rows are swept in bounded batches.
 */

import { ConfigError, type SessionStore } from '@latchkey/core';
import {
  checkString,
  checkTtl,
  checkValue,
  systemClock,
  type Clock,
  type UserIndex,
} from '@latchkey/core/store';
import { fromBytes, toBytes } from './bytes.js';
import { migrationScript, tableNames, type SqlTables } from './schema.js';
import type { SqlClient, SqlParam, SqlRow } from './sql-client.js';
import { statements } from './statements.js';

/** Options of {@link sqlStore} and of every driver's store. */
export interface SqlStoreOptions {
  /** Prefix of both table names, `[a-z_][a-z0-9_]*`. Default `'latchkey_'`. */
  tablePrefix?: string;
  /** Source of time for every TTL. Default: the system clock. */
  clock?: Clock;
  /**
   * Least time between two sweeps of expired rows, in ms, run by whichever
   * write comes next; `0` turns lazy sweeping off (call `sweep()` yourself).
   * Default 60 000.
   */
  sweepInterval?: number;
  /** Most rows of each table one sweep deletes, so its cost is bounded. Default 500. */
  sweepBatch?: number;
  /** Run `migrate()` before the first operation. Default false (`sqliteStore`: true). */
  autoMigrate?: boolean;
}

/** The store {@link sqlStore} returns: every capability, plus schema and housekeeping. */
export interface SqlSessionStore extends SessionStore {
  readonly userIndex: UserIndex;
  consume(key: string): Promise<string | null>;
  compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    ttlMs: number,
  ): Promise<boolean>;
  /** The table names in use. */
  readonly tables: SqlTables;
  /** Create the tables and indexes if they do not exist (idempotent, safe from several processes at once). */
  migrate(): Promise<void>;
  /** Delete up to `sweepBatch` expired rows from each table; resolves how many went. */
  sweep(): Promise<number>;
}

// Far enough for any TTL, small enough for a BIGINT and a JS number.
const maxExpiry = Number.MAX_SAFE_INTEGER;

function positiveInteger(who: string, field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(
      `${who}: ${field} must be a whole number of at least 0, got ${String(value)}`,
    );
  }
  return value;
}

/** Name the fix when the tables are missing: Postgres `42P01`, SQLite `no such table`. */
function explain(who: string, tables: SqlTables, error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown } | null;
  const missing =
    e?.code === '42P01' || (typeof e?.message === 'string' && /no such table/.test(e.message));
  if (!missing) return error;
  return new Error(
    `${who}: table ${tables.records} or ${tables.userIndex} does not exist: run \`await store.migrate()\` once, or apply schemaSql() from @latchkey/sql in your migrations`,
    { cause: error },
  );
}

/**
 * A {@link SessionStore} with `userIndex`, `consume` and `compareAndSet` on a
 * SQL database reached through `client`. The drivers' own factories
 * (`postgresStore`, `postgresJsStore`, `sqliteStore`) call this.
 *
 * @example
 * const store = sqlStore(myClient, { tablePrefix: 'auth_' });
 * await store.migrate();
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 */
export function sqlStore(client: SqlClient, options: SqlStoreOptions = {}): SqlSessionStore {
  if (
    !client ||
    typeof client.query !== 'function' ||
    (client.dialect !== 'postgres' && client.dialect !== 'sqlite')
  ) {
    throw new ConfigError(
      "sqlStore: client must be a SqlClient ({ dialect: 'postgres' | 'sqlite', query, exec }); use postgresStore, postgresJsStore or sqliteStore to wrap a driver",
    );
  }
  const who = `${client.dialect}Store`;
  const tables = tableNames(options.tablePrefix);
  const q = statements(client.dialect, tables);
  const clock = options.clock ?? systemClock;
  const sweepInterval = positiveInteger(who, 'sweepInterval', options.sweepInterval, 60_000);
  const sweepBatch = positiveInteger(who, 'sweepBatch', options.sweepBatch, 500) || 1;
  let lastSweep = clock.now();

  const migrate = () => client.exec(migrationScript(client.dialect, options.tablePrefix));
  let ready: Promise<void> | undefined = options.autoMigrate ? undefined : Promise.resolve();
  const whenReady = (): Promise<void> => {
    // A failed migration is retried by the next operation, not cached.
    ready ??= migrate().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const run = async (
    text: string,
    params: readonly SqlParam[],
    write = true,
  ): Promise<SqlRow[]> => {
    await whenReady();
    try {
      return await client.query(text, params, { write });
    } catch (error) {
      throw explain(who, tables, error);
    }
  };
  const now = () => Math.floor(clock.now());
  const expiry = (at: number, ttlMs: number) => Math.min(at + Math.ceil(ttlMs), maxExpiry);
  const key = (k: unknown) => (checkString(who, 'key', k), toBytes(who, 'key', k));
  const value = (v: unknown) => (checkValue(who, v), toBytes(who, 'value', v));
  const user = (u: unknown) => (checkString(who, 'userId', u), toBytes(who, 'userId', u));
  const member = (m: unknown) => (checkString(who, 'member', m), toBytes(who, 'member', m));
  const ttl = (t: unknown): number => (checkTtl(who, t), t as number);

  const sweep = async (): Promise<number> => {
    const at = now();
    const [records, members] = [
      await run(q.sweepRecords, [at, sweepBatch]),
      await run(q.sweepIndex, [at, sweepBatch]),
    ];
    return records.length + members.length;
  };
  // Before the write that finds a sweep due, so a failing sweep fails that write rather than follow it.
  const maybeSweep = async (at: number) => {
    if (sweepInterval === 0 || at - lastSweep < sweepInterval) return;
    lastSweep = at;
    await sweep();
  };

  const userIndex: UserIndex = {
    async add(userId, m, ttlMs) {
      const params = [user(userId), member(m), ttl(ttlMs)] as const;
      const at = now();
      await maybeSweep(at);
      await run(q.indexAdd, [params[0], params[1], expiry(at, params[2])]);
    },
    async list(userId) {
      const rows = await run(q.indexList, [user(userId), now()], false);
      return rows.map((row) => fromBytes(who, row.member));
    },
    async remove(userId, m) {
      await run(q.indexRemove, [user(userId), member(m)]);
    },
    async removeAll(userId) {
      const u = user(userId);
      const at = now();
      const rows = await run(q.indexRemoveAll, [u]);
      // Expired members go too, but only live ones were "there".
      return rows
        .filter((row) => Number(row.expires_at) > at)
        .map((row) => fromBytes(who, row.member));
    },
  };

  return {
    name: client.dialect,
    tables,
    userIndex,
    migrate,
    sweep,

    async get(k) {
      const rows = await run(q.get, [key(k), now()], false);
      return rows.length === 0 ? null : fromBytes(who, rows[0]!.value);
    },

    async set(k, v, ttlMs) {
      const params = [key(k), value(v), ttl(ttlMs)] as const;
      const at = now();
      await maybeSweep(at);
      await run(q.set, [params[0], params[1], expiry(at, params[2])]);
    },

    async delete(k) {
      await run(q.delete, [key(k)]);
    },

    async consume(k) {
      const rows = await run(q.consume, [key(k), now()]);
      return rows.length === 0 ? null : fromBytes(who, rows[0]!.value);
    },

    async compareAndSet(k, expected, v, ttlMs) {
      const kb = key(k);
      if (expected !== null && typeof expected !== 'string') {
        throw new TypeError(`${who}: expected must be a string or null, got ${typeof expected}`);
      }
      const eb = expected === null ? null : toBytes(who, 'expected', expected);
      const vb = value(v);
      const at = now();
      const until = expiry(at, ttl(ttlMs));
      await maybeSweep(at);
      const rows =
        eb === null
          ? await run(q.create, [kb, vb, until, at])
          : await run(q.replace, [kb, eb, vb, until, at]);
      return rows.length === 1;
    },
  };
}
