/**
 * Runs the Worker locally in workerd through miniflare, with the bindings wrangler.toml declares:
 * `pnpm example:worker` from the repository root (what `wrangler dev` would do; wrangler is not
 * installed here). PORT (default 8787) comes from the environment; KV and the Durable Object live
 * in memory, so sessions end when it stops.
 */

import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { readWranglerConfig } from './wrangler-config.js';

const here = new URL('./', import.meta.url);

/**
 * Bundle `main` with esbuild (tsconfig paths resolve the workspace packages) and serve it on
 * 127.0.0.1 (`port` 0: any free port); resolves once workerd listens.
 *
 * @example
 * const worker = await startWorker(8787);
 * await worker.dispose();
 */
export async function startWorker(port: number) {
  const config = await readWranglerConfig(here);
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL(config.main, here))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    name: config.name,
    modules: true,
    script: bundled.outputFiles[0]!.text,
    compatibilityDate: config.compatibilityDate,
    kvNamespaces: config.kvNamespaces,
    durableObjects: config.durableObjects,
    bindings: config.devVars,
    host: '127.0.0.1', // loopback only: the development cookie must never face a network
    port,
  });
  const url = await mf.ready.catch(async (error: unknown) => {
    await mf.dispose(); // a Worker that fails to start leaves no workerd behind
    throw error;
  });
  return { url: url.origin, mf, dispose: () => mf.dispose() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const worker = await startWorker(Number(process.env.PORT ?? 8787));
  console.log(`Worker example in workerd on ${worker.url}/  (POST /login, GET /me, POST /logout)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void worker.dispose().then(() => process.exit(0)));
  }
}
