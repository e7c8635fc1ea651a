/**
 * The driver libraries, for tests outside this package (test/scenarios,
 * test/sql, bench/): they are this package's devDependencies, so they resolve
 * from here and nowhere else.
 */
export { default as pg } from 'pg';
export { default as postgres } from 'postgres';
export { createClient } from '@libsql/client';
