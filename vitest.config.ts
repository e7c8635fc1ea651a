import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `pnpm test` needs no build first.
    alias: [
      {
        find: /^@latchkey\/core\/testing\/portable$/,
        replacement: src('./packages/core/src/testing/portable.ts'),
      },
      {
        find: /^@latchkey\/core\/(testing|tokens|sealed|cookie|store|monitor|webauthn|dbsc|dpop)$/,
        replacement: src('./packages/core/src/$1/index.ts'),
      },
      { find: /^@latchkey\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@latchkey\/client$/, replacement: src('./packages/client/src/index.ts') },
      { find: /^@latchkey\/audit$/, replacement: src('./packages/audit/src/index.ts') },
      { find: /^@latchkey\/hono$/, replacement: src('./adapters/hono/src/index.ts') },
      {
        find: /^@latchkey\/unstorage\/redis$/,
        replacement: src('./adapters/unstorage/src/redis.ts'),
      },
      { find: /^@latchkey\/node$/, replacement: src('./adapters/node/src/index.ts') },
      { find: /^@latchkey\/unstorage$/, replacement: src('./adapters/unstorage/src/index.ts') },
      {
        find: /^@latchkey\/sql\/(pg|postgres|libsql)$/,
        replacement: src('./adapters/sql/src/$1.ts'),
      },
      { find: /^@latchkey\/sql$/, replacement: src('./adapters/sql/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'adapters/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The packaging checks need the built packages: `pnpm check:packaging` runs them.
    exclude: [...configDefaults.exclude, 'test/packaging/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
