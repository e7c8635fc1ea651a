/**
 * @latchkey/sql/libsql: the SQL store on SQLite through libSQL
 * (`@libsql/client`): a local file with nothing to install (WAL,
 * `synchronous=NORMAL`, a busy timeout), or a remote libSQL server.
 */

import { ConfigError } from '@latchkey/core';
import { createClient } from '@libsql/client';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { statementTimeoutOf, withDeadline } from './deadline.js';
import type { SqlClient, SqlParam } from './sql-client.js';
import { sqlStore, type SqlSessionStore, type SqlStoreOptions } from './sql-store.js';

/**
 * The part of a libSQL `Client` (`createClient()` from `@libsql/client`) the
 * store uses. Declared here, not imported: @libsql/client's types are ESM
 * even where `require` loads its CommonJS build, so a CommonJS project's
 * `.d.cts` could not import them (TS1479).
 */
export interface LibsqlClient {
  /** `'file'` for a local database. */
  readonly protocol: string;
  execute(statement: { sql: string; args: SqlParam[] }): Promise<{ rows: unknown[] }>;
  executeMultiple(sql: string): Promise<void>;
  reconnect(): void | Promise<void>;
  close(): void;
}

/** Options for {@link sqliteStore}. */
export interface SqliteStoreOptions extends SqlStoreOptions {
  /**
   * Where the database is: `file:<path>` (its folder is created), or a
   * `libsql://`, `https://` or `wss://` URL of a libSQL server. Default
   * `'file:.data/sessions.db'`. Ignored when `client` is given.
   */
  url?: string;
  /** Token for a remote libSQL server. */
  authToken?: string;
  /**
   * A libSQL client you made yourself; the store then never closes it. For a
   * local file, a failed statement makes the store reopen the client's
   * connections (`reconnect()`), so keep transactions of your own on
   * another client.
   */
  client?: LibsqlClient;
  /**
   * Most time one statement may take, in ms: for a file, how long a write
   * waits for another connection's lock (SQLite's busy timeout) before it
   * rejects with `SQLITE_BUSY`; for a server, a deadline on the request.
   * Default 400, below the engine's `storeTimeout` (500 ms): a local file's
   * busy wait holds the event loop, so a long one stalls every request.
   */
  statementTimeout?: number;
  /** Create the tables before the first operation. Default true. */
  autoMigrate?: boolean;
}

/** The store {@link sqliteStore} returns; `close()` closes the client it made. */
export interface SqliteSessionStore extends SqlSessionStore {
  close(): void;
}

const who = 'sqliteStore';

/** Default `statementTimeout` of the SQLite store, in ms: a busy wait on a local file blocks the event loop. */
const defaultSqliteStatementTimeout = 400;

/** The folder of a `file:` URL's path, or `undefined` for memory and remote URLs. */
function folderOf(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = decodeURIComponent(url.slice('file:'.length).split('?')[0]!).replace(
    /^\/\/(localhost)?(?=\/)/,
    '',
  );
  return path === '' || path === ':memory:' ? undefined : dirname(path);
}

/**
 * Wrap a libSQL client as a {@link SqlClient}. For a local file it sets WAL
 * and `synchronous=NORMAL` before the first statement (WAL persists in the
 * file; the other pragmas hold per connection, so give the client
 * `concurrency: 1`: local statements run one at a time anyway).
 *
 * @example
 * const client = libsqlClient(createClient({ url: 'file:sessions.db', concurrency: 1, timeout: 400 }));
 */
export function libsqlClient(
  client: LibsqlClient,
  options: { statementTimeout?: number } = {},
): SqlClient {
  if (!client || typeof client.execute !== 'function') {
    throw new ConfigError(`${who}: client must be a libSQL client (createClient({ url }))`);
  }
  const ms = statementTimeoutOf(who, options.statementTimeout, defaultSqliteStatementTimeout);
  const local = client.protocol === 'file';
  let setup: Promise<void> | undefined;
  const ready = () =>
    (setup ??= local
      ? client
          .executeMultiple(
            `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${ms};`,
          )
          .catch((error: unknown) => {
            setup = undefined;
            throw error;
          })
      : Promise.resolve());
  // A remote statement gets a deadline on the client side. A local one runs synchronously and
  // cannot be overtaken (the busy timeout bounds it), but a failed one must not poison the
  // connection: libSQL leaves a statement that failed with SQLITE_BUSY in progress until the
  // garbage collector finalizes it, and until then every later write on that connection stays in
  // a transaction nobody commits, acknowledged here and invisible to every other connection
  // (tursodatabase/libsql-client-ts#352). So after any local failure the connections are reopened.
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!local) {
      await ready();
      return withDeadline(who, ms, work());
    }
    try {
      await ready(); // the pragmas too: journal_mode waits for the lock like any write
      return await work();
    } catch (error) {
      setup = undefined; // the pragmas hold per connection: set them again on the new one
      await client.reconnect();
      throw error;
    }
  };
  return {
    dialect: 'sqlite',
    async query(sql, args) {
      const result = await run(() => client.execute({ sql, args: args as SqlParam[] }));
      return result.rows as unknown as Record<string, unknown>[];
    },
    async exec(script) {
      await run(() => client.executeMultiple(script));
    },
  };
}

/**
 * A session store with every capability on SQLite through libSQL: the
 * zero-install default. Creates the file's folder and, before the first
 * operation, the tables.
 *
 * @example
 * const store = sqliteStore({ url: 'file:.data/sessions.db' });
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 * // at shutdown
 * store.close();
 */
export function sqliteStore(options: SqliteStoreOptions = {}): SqliteSessionStore {
  const { url, authToken, client: given, statementTimeout, autoMigrate, ...rest } = options;
  const ms = statementTimeoutOf(who, statementTimeout, defaultSqliteStatementTimeout);
  let client = given;
  if (!client) {
    const target = url ?? 'file:.data/sessions.db';
    if (typeof target !== 'string')
      throw new ConfigError(`${who}: url must be a string, got ${typeof target}`);
    const folder = folderOf(target);
    if (folder !== undefined) mkdirSync(folder, { recursive: true });
    // One connection: the pragmas above hold per connection, and local statements never overlap.
    client = createClient({ url: target, authToken, concurrency: 1, timeout: ms });
  }
  const owned = client;
  const store = sqlStore(libsqlClient(owned, { statementTimeout: ms }), {
    ...rest,
    autoMigrate: autoMigrate ?? true,
  });
  return Object.assign(store, { close: () => (given ? undefined : owned.close()) });
}
