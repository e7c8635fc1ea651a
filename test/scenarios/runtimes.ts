/**
 * Starting the fixture on runtimes other than this Node process: bundle the
 * runtime's entry once, then spawn the runtime's binary from node_modules.
 */

import { bin } from '../runtimes/harness.js';
import { bundle } from './bundle.js';
import { spawnApp } from './serve.js';
import type { RunningApp } from './suite.js';

/** Bundle `entries/<file>` once per test file, however many variants it starts. */
function bundled(file: string): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () => (pending ??= bundle(new URL(`./entries/${file}`, import.meta.url)));
}

const bunEntry = bundled('bun.ts');
const denoEntry = bundled('deno.ts');

/** The fixture `variant` on Bun. */
export async function startOnBun(variant: string): Promise<RunningApp> {
  return spawnApp(bin('bun'), ['run', await bunEntry(), variant]);
}

/** The fixture `variant` on Deno, with network access only (and Deno KV, in memory, for `serve`). */
export async function startOnDeno(variant: string): Promise<RunningApp> {
  return spawnApp(
    bin('deno'),
    [
      'run',
      '--allow-net=127.0.0.1',
      '--unstable-kv',
      '--no-prompt',
      '--no-config',
      await denoEntry(),
      variant,
    ],
    {
      env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    },
  );
}
