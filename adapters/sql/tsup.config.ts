import { defineConfig } from 'tsup';

// One entry per driver, so importing one never loads another's library.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    pg: 'src/pg.ts',
    postgres: 'src/postgres-js.ts',
    libsql: 'src/libsql.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@libsql/client', 'pg', 'postgres'],
});
