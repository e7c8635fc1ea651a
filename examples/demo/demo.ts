/**
 * Start the demo on Node: open the store (SQLite under the data folder,
 * Redis or PostgreSQL), load the assets, serve on loopback. `server.ts` is
 * `pnpm demo`; the end-to-end tests call `startDemo` on a free port.
 */

import { serve, type ServerType } from '@hono/node-server';
import { createServer as createHttpsServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoApp, type DemoApp } from './app.js';
import { loadAssets } from './assets.js';
import { DemoClock } from './clock.js';
import { openStore, type StoreChoice } from './stores.js';

export interface DemoOptions extends Partial<StoreChoice> {
  /** 0 for a free port. Default 3000. */
  port?: number;
  /** Default `127.0.0.1`: the development cookies must never face a network. */
  hostname?: string;
  /**
   * Serve HTTPS with this key and certificate (PEM): the cookies are then
   * Secure with their `__Host-`/`__Secure-` prefix, as in production.
   */
  tls?: { key: string; cert: string };
}

export interface RunningDemo extends DemoApp {
  /** `http://localhost:<port>` (`https://` with `tls`). */
  readonly origin: string;
  readonly clock: DemoClock;
  readonly storeLabel: string;
  close(): Promise<void>;
}

/** The HMAC key for access tokens, made once and kept beside the sessions. */
function tokenSecret(dataDir: string): string {
  const file = join(dataDir, 'token-key');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 43) return kept;
  } catch {
    // first start: make one below
  }
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const dataDir = options.dataDir ?? '.data';
  mkdirSync(dataDir, { recursive: true });
  const [store, assets] = await Promise.all([
    openStore({ dataDir, redisUrl: options.redisUrl, databaseUrl: options.databaseUrl }),
    loadAssets(),
  ]);
  const clock = new DemoClock();
  const { tls } = options;
  const demo = createDemoApp({
    store,
    clock,
    assets,
    tokenSecret: tokenSecret(dataDir),
    secure: tls !== undefined,
  });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve(
      {
        fetch: demo.app.fetch,
        hostname: options.hostname ?? '127.0.0.1',
        port: options.port ?? 3000,
        ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    ...demo,
    origin: `${tls ? 'https' : 'http'}://localhost:${port}`,
    clock,
    storeLabel: store.label,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive; at shutdown, end them.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await store.close();
    },
  };
}
