/**
 * The public surface: every entry of every published package's `exports` map,
 * as the source file tsup builds it from. typedoc.json lists the same files;
 * test/docs/public-surface.test.ts holds the three in step.
 */

/** Source entry file (from the repository root) → the import specifier it is published as. */
export const publicEntries: Readonly<Record<string, string>> = {
  'packages/core/src/index.ts': '@latchkey/core',
  'packages/core/src/testing/index.ts': '@latchkey/core/testing',
  'packages/core/src/testing/portable.ts': '@latchkey/core/testing/portable',
  'packages/core/src/tokens/index.ts': '@latchkey/core/tokens',
  'packages/core/src/sealed/index.ts': '@latchkey/core/sealed',
  'packages/core/src/cookie/index.ts': '@latchkey/core/cookie',
  'packages/core/src/store/index.ts': '@latchkey/core/store',
  'packages/core/src/monitor/index.ts': '@latchkey/core/monitor',
  'packages/core/src/webauthn/index.ts': '@latchkey/core/webauthn',
  'packages/core/src/dbsc/index.ts': '@latchkey/core/dbsc',
  'packages/core/src/dpop/index.ts': '@latchkey/core/dpop',
  'packages/client/src/index.ts': '@latchkey/client',
  'packages/audit/src/index.ts': '@latchkey/audit',
  'adapters/hono/src/index.ts': '@latchkey/hono',
  'adapters/node/src/index.ts': '@latchkey/node',
  'adapters/deno/src/index.ts': '@latchkey/deno',
  'adapters/workers/src/index.ts': '@latchkey/workers',
  'adapters/unstorage/src/index.ts': '@latchkey/unstorage',
  'adapters/unstorage/src/redis.ts': '@latchkey/unstorage/redis',
  'adapters/sql/src/index.ts': '@latchkey/sql',
  'adapters/sql/src/pg.ts': '@latchkey/sql/pg',
  'adapters/sql/src/postgres-js.ts': '@latchkey/sql/postgres',
  'adapters/sql/src/libsql.ts': '@latchkey/sql/libsql',
};

/**
 * The name TypeDoc gives an entry file's module before it is renamed: its
 * path without `.ts` and without a trailing `/index`.
 *
 * @example
 * typedocModuleName('packages/core/src/testing/index.ts'); // 'packages/core/src/testing'
 */
export function typedocModuleName(entry: string): string {
  return entry.replace(/\.ts$/, '').replace(/\/index$/, '');
}
