/**
 * The two tables and their indexes, for both dialects, as `migrate()` runs
 * them and as teams that run their own migrations copy them. Identifiers come
 * only from a checked `tablePrefix`, never from a key or a user ID.
 */

import { ConfigError } from '@latchkey/core';
import type { SqlDialect } from './sql-client.js';

/** The table names a prefix gives. */
export interface SqlTables {
  /** Every record (sessions, tokens, revocations): `<prefix>records`. */
  readonly records: string;
  /** The per-user index: `<prefix>user_index`. */
  readonly userIndex: string;
}

const prefixPattern = /^[a-z_][a-z0-9_]*$/;
// PostgreSQL truncates identifiers past 63 bytes; the longest name is `<prefix>user_index_expires_at`.
const maxPrefix = 63 - 'user_index_expires_at'.length;

/**
 * The tables under `tablePrefix` (default `latchkey_`), after checking it is a
 * plain lower-case identifier short enough for PostgreSQL.
 *
 * @example
 * tableNames('auth_'); // { records: 'auth_records', userIndex: 'auth_user_index' }
 */
export function tableNames(tablePrefix: string = 'latchkey_'): SqlTables {
  if (typeof tablePrefix !== 'string' || !prefixPattern.test(tablePrefix)) {
    throw new ConfigError(
      `tablePrefix must match ${prefixPattern.source} (lower-case letters, digits, underscores), got ${JSON.stringify(tablePrefix)}; to use another schema, set the connection's search_path`,
    );
  }
  if (tablePrefix.length > maxPrefix) {
    throw new ConfigError(
      `tablePrefix must be at most ${maxPrefix} characters (PostgreSQL identifiers are 63 bytes), got ${tablePrefix.length}`,
    );
  }
  return { records: `${tablePrefix}records`, userIndex: `${tablePrefix}user_index` };
}

/**
 * The schema as SQL statements: what `migrate()` creates (idempotently), for
 * teams that apply migrations themselves. Keys, user IDs and values are UTF-8
 * bytes (PostgreSQL `text` cannot hold NUL); `expires_at` is milliseconds since
 * the epoch on the app's clock.
 *
 * @example
 * console.log(schemaSql('postgres')); // paste into your migration tool
 */
export function schemaSql(dialect: SqlDialect, tablePrefix?: string): string {
  const { records, userIndex } = tableNames(tablePrefix);
  const [bytes, int, clustered] =
    dialect === 'postgres' ? ['bytea', 'bigint', ''] : ['blob', 'integer', ' WITHOUT ROWID'];
  return `CREATE TABLE IF NOT EXISTS ${records} (
  key ${bytes} PRIMARY KEY,
  value ${bytes} NOT NULL,
  expires_at ${int} NOT NULL
)${clustered};
CREATE INDEX IF NOT EXISTS ${records}_expires_at ON ${records} (expires_at);
CREATE TABLE IF NOT EXISTS ${userIndex} (
  user_id ${bytes} NOT NULL,
  member ${bytes} NOT NULL,
  expires_at ${int} NOT NULL,
  PRIMARY KEY (user_id, member)
)${clustered};
CREATE INDEX IF NOT EXISTS ${userIndex}_expires_at ON ${userIndex} (expires_at);
`;
}

/** 32-bit FNV-1a of the prefix: the advisory lock two processes migrating at once queue on. */
function lockId(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** The script `migrate()` runs: the schema in one transaction, serialized between processes. */
export function migrationScript(dialect: SqlDialect, tablePrefix?: string): string {
  const schema = schemaSql(dialect, tablePrefix);
  return dialect === 'postgres'
    ? // A multi-statement simple query is one transaction; the lock is held until it ends.
      `SELECT pg_advisory_xact_lock(${lockId(`latchkey:${tablePrefix ?? 'latchkey_'}`)});\n${schema}`
    : `BEGIN IMMEDIATE;\n${schema}COMMIT;\n`;
}
