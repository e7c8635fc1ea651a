// The packaging checks (`pnpm check:packaging`): they read the built packages
// through their package.json, so no alias to the sources here, and `pnpm test`
// runs them after the suites, through `pnpm check:packaging` (the build they need takes minutes).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
