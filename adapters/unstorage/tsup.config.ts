import { defineConfig } from 'tsup';

// Redis on its own entry, so importing it never loads the unstorage store.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
