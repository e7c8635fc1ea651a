/**
 * @latchkey/sql: Latchkey session stores on SQL with every capability. The
 * store and its schema live here; each driver is its own entry, so importing
 * one loads no other: `@latchkey/sql/pg`, `@latchkey/sql/postgres`
 * (postgres.js), `@latchkey/sql/libsql` (SQLite).
 */
export { sqlStore, type SqlStoreOptions, type SqlSessionStore } from './sql-store.js';
export type { SqlClient, SqlDialect, SqlParam, SqlRow } from './sql-client.js';
export { schemaSql, tableNames, type SqlTables } from './schema.js';
