/**
 * Bundle an entry file into one self-contained ESM file with esbuild, for
 * runtimes that should not resolve the workspace themselves (Deno, Bun,
 * workerd). Workspace packages resolve to their sources, so nothing needs
 * building first; npm dependencies (hono, jose, @noble/hashes) are inlined.
 */

import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Workspace packages, by import name, mapped to their source entry points. */
export const workspaceAliases: Record<string, string> = {
  ...Object.fromEntries(
    ['testing', 'tokens', 'sealed', 'cookie', 'store', 'monitor', 'webauthn', 'dbsc', 'dpop'].map(
      (sub) => [`@latchkey/core/${sub}`, join(root, `packages/core/src/${sub}/index.ts`)],
    ),
  ),
  '@latchkey/core/testing/portable': join(root, 'packages/core/src/testing/portable.ts'),
  '@latchkey/core': join(root, 'packages/core/src/index.ts'),
  '@latchkey/hono': join(root, 'adapters/hono/src/index.ts'),
  '@latchkey/node': join(root, 'adapters/node/src/index.ts'),
  '@latchkey/deno': join(root, 'adapters/deno/src/index.ts'),
  '@latchkey/workers': join(root, 'adapters/workers/src/index.ts'),
  '@latchkey/unstorage': join(root, 'adapters/unstorage/src/index.ts'),
};

/**
 * Bundle `entry` (a path, or a URL relative to the caller) and resolve to the
 * path of the bundled `.mjs` file in the temporary directory.
 *
 * @example
 * const file = await bundle(new URL('./entries/deno.ts', import.meta.url));
 * spawn('deno', ['run', '--allow-net', file]);
 */
export async function bundle(entry: string | URL, options: BuildOptions = {}): Promise<string> {
  const entryPath = entry instanceof URL ? fileURLToPath(entry) : entry;
  const dir = join(tmpdir(), 'latchkey-bundles');
  await mkdir(dir, { recursive: true });
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: workspaceAliases,
    logLevel: 'silent',
    ...options,
    write: false,
    outfile: join(dir, 'out.mjs'),
  });
  const code = result.outputFiles![0]!.contents;
  // Named by content: runs of the same sources share one file instead of piling up, and parallel writers agree.
  const name = `${basename(entryPath).replace(/\.[cm]?[jt]s$/, '')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
  const outfile = join(dir, name);
  const partial = `${outfile}.${process.pid}.tmp`;
  await writeFile(partial, code);
  await rename(partial, outfile);
  return outfile;
}
