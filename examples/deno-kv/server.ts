/**
 * Serves the example on Deno with sessions in Deno KV: `pnpm example:deno-kv` from the repository
 * root (the `deno run` line is in README.md). PORT (default 8000) and KV_PATH (default: Deno's own
 * KV location; `:memory:` for a throwaway one) come from the environment.
 */

import { denoKvStore, serveWithSessions, type DenoKvLike } from '@latchkey/deno';
import { createSessions, routes } from './app.js';

// The part of Deno's global this file uses (the workspace type-checks with tsc, not deno check).
declare const Deno: {
  env: { get(name: string): string | undefined };
  openKv(path?: string): Promise<DenoKvLike>;
};

const kv = await Deno.openKv(Deno.env.get('KV_PATH'));
const latchkey = createSessions({ store: denoKvStore(kv) });

serveWithSessions(latchkey, routes, {
  port: Number(Deno.env.get('PORT') ?? 8000),
  hostname: '127.0.0.1', // loopback only: the development cookie must never face a network
  csrf: true, // a POST must come from this origin (Origin / Sec-Fetch-Site), else 403
  onListen: ({ port }) =>
    console.log(`listening ${port}: Deno KV example on http://127.0.0.1:${port}/`),
});
