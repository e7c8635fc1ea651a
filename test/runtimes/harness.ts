/**
 * Shared plumbing for the runtime tests: bundle an entry file with esbuild
 * (workspace packages resolved to their sources, as vitest.config.ts does),
 * run it in Deno or Bun, and read the JSON report it prints. Each runtime's
 * entry is a thin file; the cases are the same everywhere.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { reportMarker } from './report.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The runtime's own binary, not node_modules/.bin's shim: the shim is a shell
 * script, and stopping it leaves the runtime it started running.
 */
export const bin = (name: 'deno' | 'bun') =>
  join(root, name === 'bun' ? 'node_modules/bun/bin/bun.exe' : 'node_modules/deno/deno');

/** Resolves `@latchkey/<pkg>` (and the `@latchkey/core/*` subpaths) to sources, and extra aliases given by the caller. */
function workspaceAliases(extra: Record<string, string>): Plugin {
  const table: Record<string, string> = {
    '@latchkey/core': join(root, 'packages/core/src/index.ts'),
    ...Object.fromEntries(
      ['testing', 'tokens', 'sealed', 'cookie', 'store', 'monitor', 'webauthn', 'dbsc', 'dpop'].map(
        (sub) => [`@latchkey/core/${sub}`, join(root, `packages/core/src/${sub}/index.ts`)],
      ),
    ),
    '@latchkey/core/testing/portable': join(root, 'packages/core/src/testing/portable.ts'),
    '@latchkey/deno': join(root, 'adapters/deno/src/index.ts'),
    '@latchkey/workers': join(root, 'adapters/workers/src/index.ts'),
    ...extra,
  };
  return {
    name: 'workspace-aliases',
    setup(b) {
      const filter = new RegExp(
        `^(${Object.keys(table)
          .map((k) => k.replace(/[/.]/g, '\\$&'))
          .join('|')})$`,
      );
      b.onResolve({ filter }, (args) => ({ path: table[args.path]! }));
    },
  };
}

/** Bundle `entry` into one ES module file in a fresh temp dir; returns its path and a cleanup. */
export async function bundle(
  entry: string,
  options: {
    aliases?: Record<string, string>;
    external?: string[];
    platform?: 'neutral' | 'browser';
    plugins?: Plugin[];
    nodePaths?: string[];
  } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-runtime-'));
  const outfile = join(dir, 'entry.mjs');
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'esm',
      platform: options.platform ?? 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['worker', 'browser', 'import', 'default'],
      target: 'es2022',
      external: options.external ?? [],
      plugins: [workspaceAliases(options.aliases ?? {}), ...(options.plugins ?? [])],
      nodePaths: options.nodePaths ?? [],
      logLevel: 'silent',
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { outfile, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Bundle several entries; if any fails, the others' temp dirs are removed too. */
type Bundle = Awaited<ReturnType<typeof bundle>>;
export async function bundleAll<const T extends readonly string[]>(
  entries: T,
  options: Parameters<typeof bundle>[1] = {},
): Promise<{ -readonly [K in keyof T]: Bundle }> {
  const settled = await Promise.allSettled(entries.map((e) => bundle(e, options)));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(
      settled.map((r) => (r.status === 'fulfilled' ? r.value.cleanup() : undefined)),
    );
    throw (failed as PromiseRejectedResult).reason;
  }
  return settled.map((r) => (r as PromiseFulfilledResult<Bundle>).value) as {
    -readonly [K in keyof T]: Bundle;
  };
}

/** Run a command, resolve its stdout; reject with stdout and stderr on a non-zero exit. */
export function run(file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: root,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${file} ${args.join(' ')} failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

/** The JSON report printed after {@link reportMarker}. */
export function readReport<T>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith(reportMarker));
  if (!line) throw new Error(`no report in the runtime's output:\n${stdout.slice(0, 4000)}`);
  return JSON.parse(line.slice(reportMarker.length)) as T;
}
