/**
 * Every statement the store runs, written once with `$n` placeholders and
 * rewritten to `?n` for SQLite. Each read is one primary-key lookup; expired
 * rows are invisible at once and swept later in bounded batches.
 */

import type { SqlTables } from './schema.js';
import type { SqlDialect } from './sql-client.js';

export type Statements = ReturnType<typeof statements>;

export function statements(dialect: SqlDialect, { records: r, userIndex: u }: SqlTables) {
  const sql = (text: string) => (dialect === 'sqlite' ? text.replace(/\$(\d+)/g, '?$1') : text);
  // Two servers sweeping at once skip each other's rows instead of queueing on them.
  const skipLocked = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  return {
    get: sql(`SELECT value FROM ${r} WHERE key = $1 AND expires_at > $2`),
    set: sql(
      `INSERT INTO ${r} (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    delete: sql(`DELETE FROM ${r} WHERE key = $1`),
    consume: sql(`DELETE FROM ${r} WHERE key = $1 AND expires_at > $2 RETURNING value`),
    /** compareAndSet with a value expected: the row must hold it and be live. */
    replace: sql(
      `UPDATE ${r} SET value = $3, expires_at = $4
       WHERE key = $1 AND value = $2 AND expires_at > $5 RETURNING 1 AS written`,
    ),
    /** compareAndSet with null expected: insert, or take over a row that has expired. */
    create: sql(
      `INSERT INTO ${r} (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE ${r}.expires_at <= $4 RETURNING 1 AS written`,
    ),
    indexAdd: sql(
      `INSERT INTO ${u} (user_id, member, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, member) DO UPDATE SET expires_at = excluded.expires_at`,
    ),
    indexList: sql(`SELECT member FROM ${u} WHERE user_id = $1 AND expires_at > $2`),
    indexRemove: sql(`DELETE FROM ${u} WHERE user_id = $1 AND member = $2`),
    indexRemoveAll: sql(`DELETE FROM ${u} WHERE user_id = $1 RETURNING member, expires_at`),
    sweepRecords: sql(
      `DELETE FROM ${r} WHERE expires_at <= $1 AND key IN
       (SELECT key FROM ${r} WHERE expires_at <= $1 LIMIT $2${skipLocked}) RETURNING 1 AS n`,
    ),
    sweepIndex: sql(
      `DELETE FROM ${u} WHERE expires_at <= $1 AND (user_id, member) IN
       (SELECT user_id, member FROM ${u} WHERE expires_at <= $1 LIMIT $2${skipLocked}) RETURNING 1 AS n`,
    ),
  };
}
