/**
 * The one thing the SQL store needs from a database driver: run a statement
 * with positional parameters and hand back its rows. The drivers for pg,
 * postgres.js and libSQL live on their own subpaths; any other client fits in
 * a few lines.
 */

/** Which SQL the store writes: PostgreSQL's or SQLite's (libSQL speaks SQLite's). */
export type SqlDialect = 'postgres' | 'sqlite';

/** A statement parameter: text, an integer, or bytes (keys and values travel as UTF-8 bytes). */
export type SqlParam = string | number | Uint8Array | null;

/** A result row by column name. Byte columns may come back as a `Uint8Array` (Node `Buffer`) or an `ArrayBuffer`. */
export type SqlRow = Record<string, unknown>;

/**
 * A database connection or pool, reduced to what {@link sqlStore} calls.
 *
 * @example
 * // node-postgres, by hand (what `@latchkey/sql/pg` does, plus a statement timeout):
 * const client: SqlClient = {
 *   dialect: 'postgres',
 *   query: async (text, params) => (await pool.query(text, [...params])).rows,
 *   exec: async (script) => void (await pool.query(script)),
 * };
 */
export interface SqlClient {
  readonly dialect: SqlDialect;
  /**
   * Run one statement. Placeholders are `$1, $2, …` for postgres and
   * `?1, ?2, …` for sqlite. Rejects when the database does (the engine then
   * fails closed with `StoreError`). `write` marks a statement that changes
   * rows: a driver with a timeout must make sure such a statement has no
   * effect once it has rejected (the PostgreSQL drivers run it in a
   * transaction they commit only within the deadline).
   */
  query(
    text: string,
    params: readonly SqlParam[],
    options?: { write?: boolean },
  ): Promise<SqlRow[]>;
  /** Run a script of several statements without parameters, in one transaction (migrations). */
  exec(script: string): Promise<void>;
}
