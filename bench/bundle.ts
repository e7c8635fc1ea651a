/**
 * The bench runs Latchkey as apps ship it: bundled by esbuild (what tsup,
 * which builds the packages, runs) without tsx's `keepNames`, which wraps
 * every closure in a `defineProperty` call and so taxes code that creates
 * closures per request. Workspace packages resolve to their sources; every
 * other package stays an import, resolved from bench/.
 */

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = (path: string) => `${root}${path}`;
const WORKSPACE: Record<string, string> = {
  '@latchkey/core': source('packages/core/src/index.ts'),
  '@latchkey/core/testing': source('packages/core/src/testing/index.ts'),
  '@latchkey/core/tokens': source('packages/core/src/tokens/index.ts'),
  '@latchkey/core/sealed': source('packages/core/src/sealed/index.ts'),
  '@latchkey/core/cookie': source('packages/core/src/cookie/index.ts'),
  '@latchkey/core/store': source('packages/core/src/store/index.ts'),
};

/** Bundle `entry` (a path under bench/) to bench/.build/<name>.mjs and return its path. */
export async function bundle(entry: string): Promise<string> {
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const outfile = fileURLToPath(new URL(`./.build/${name}.mjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        name: 'workspace-sources-else-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            WORKSPACE[args.path]
              ? { path: WORKSPACE[args.path] }
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return outfile;
}
