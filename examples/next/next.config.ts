/**
 * Next builds @latchkey/core and @latchkey/sql from their TypeScript sources (tsconfig.json's
 * `paths`), as the other examples run them: the workspace packages export `dist/`, which
 * `pnpm test` does not build. libSQL's native driver stays a plain Node require.
 */

import type { NextConfig } from 'next';
import { fileURLToPath } from 'node:url';

const config: NextConfig = {
  // The sources live outside this folder (../../packages, ../../adapters): compile them too.
  experimental: { externalDir: true },
  transpilePackages: ['@latchkey/core', '@latchkey/sql'],
  serverExternalPackages: ['@libsql/client', 'libsql'],
  // Tests build into a folder of their own, so two builds never share one. `next build` adds
  // `<distDir>/types/**/*.ts` to tsconfig.json's include unless it is there: the tests' are.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The workspace root, not this folder, holds the lockfile and node_modules/.pnpm.
  outputFileTracingRoot: fileURLToPath(new URL('../../', import.meta.url)),
  // `pnpm typecheck` checks the types (tsc -p examples/next); no ESLint is installed.
  typescript: { ignoreBuildErrors: true },
  eslint: { ignoreDuringBuilds: true },
  webpack(webpackConfig) {
    // The sources import each other as `./engine.js` (NodeNext style) from `engine.ts`.
    webpackConfig.resolve.extensionAlias = {
      ...webpackConfig.resolve.extensionAlias,
      '.js': ['.ts', '.tsx', '.js'],
    };
    // jose (behind @latchkey/core's main entry) uses CompressionStream for JWE "zip"; the edge
    // runtime has it, but Next's edge check still lists it as a Node API. The middleware never
    // reaches that code.
    webpackConfig.ignoreWarnings = [
      ...(webpackConfig.ignoreWarnings ?? []),
      { module: /[\\/]jose[\\/]/, message: /CompressionStream|DecompressionStream/ },
    ];
    return webpackConfig;
  },
};

export default config;
