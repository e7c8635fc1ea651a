/**
 * The schema as documented is the schema migrate() runs (the databases
 * themselves are exercised in postgres.test.ts and sqlite.test.ts), and table
 * names come only from a checked prefix.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { schemaSql, tableNames } from '../src/index.js';

describe('schema', () => {
  it("README.md's SQL is exactly schemaSql() for PostgreSQL, then SQLite", async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual([schemaSql('postgres'), schemaSql('sqlite')]);
  });

  it('builds table names only from a plain lower-case prefix', () => {
    expect(tableNames('auth_')).toEqual({ records: 'auth_records', userIndex: 'auth_user_index' });
    expect(schemaSql('postgres', 'auth_')).toContain('CREATE TABLE IF NOT EXISTS auth_records (');
    for (const bad of ['', 'Auth', '1x', 'a-b', 'a;drop', 'a b', 'schema.t_', '"x"']) {
      expect(() => tableNames(bad), bad).toThrow(/tablePrefix must match/);
    }
  });
});
