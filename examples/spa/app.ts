/**
 * The single-page app's server, Hono on Node: the page, the /auth routes (auth.ts) and the API
 * behind a bearer access token. Built from what varies (store, clock, key, event sink), so
 * server.ts starts it from the environment and the tests in process with a ManualClock.
 */

import { serve } from '@hono/node-server';
import {
  MemoryStore,
  presets,
  type Clock,
  type EventSink,
  type SessionStore,
} from '@latchkey/core';
import { createTokenIssuer } from '@latchkey/core/tokens';
import { requireAccessToken } from '@latchkey/hono';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { authRoutes } from './auth.js';
import { buildPage } from './page.js';

export { DEMO_PASSWORD } from './auth.js';

export interface AppOptions {
  /** HS256 key, at least 32 bytes. Default: a random one, so tokens end when the process does. */
  secret?: string;
  /** Needs atomic consume-once or compare-and-set (memory, Redis, Deno KV). Default: memory. */
  store?: SessionStore;
  /** Default: the system clock. The tests inject a `ManualClock`. */
  clock?: Clock;
  /** Logins, refreshes, reuse detected, families revoked (`token-*`, `refresh-reuse`, …). */
  onEvent?: EventSink;
  /** Where core's development-cookie warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

// CSP: script, style and fetch from this origin only; no inline script, no framing.
const CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * @example
 * const app = await createApp({ secret: process.env.TOKEN_SECRET });
 * serve({ fetch: app.fetch, port: 3000 });
 */
export async function createApp(options: AppOptions = {}): Promise<Hono> {
  const clock = options.clock;
  const tokens = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: options.secret ?? randomSecret() }],
    store: options.store ?? new MemoryStore(clock ? { clock } : {}),
    policy: presets.api, // access tokens 5 min; refresh tokens 14 days unused, families 90 days
    ...(clock ? { clock } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    cookie: {
      path: '/auth', // refresh and logout receive it, nothing else does
      // Served on plain http://localhost, where WebKit (like Safari) drops a Secure cookie: no
      // Secure, no __Secure- prefix. Behind HTTPS in production, drop this line.
      development: true,
      ...(options.warn ? { warn: options.warn } : {}),
    },
  });
  const assets = await buildPage();

  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    c.header('content-security-policy', CSP);
    c.header('x-content-type-options', 'nosniff');
  });
  app.route('/auth', authRoutes(tokens));

  // The API reads the bearer header, which a cross-site form cannot set: no CSRF guard needed.
  // A missing, expired or revoked token is 401 invalid_token, which the client answers with one refresh.
  app.use('/api/*', requireAccessToken(tokens));
  app.get('/api/me', (c) => c.json({ user: c.var.claims.sub }));
  app.get('/api/token', (c) => c.json({ expiresAt: c.var.claims.exp * 1000 }));

  for (const [path, asset] of assets)
    app.get(path, (c) => c.body(asset.body, 200, { 'content-type': asset.type }));
  return app;
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

/**
 * Serve the app on 127.0.0.1 (`port` 0: any free port); resolves once it listens.
 *
 * @example
 * const running = await startServer(await createApp(), 3000);
 * console.log(running.url);
 */
export function startServer(
  app: Hono,
  port: number,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  return new Promise((resolve) => {
    // Loopback only: the development cookie above must never face a network.
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Browsers keep connections alive; end them so close() does not wait on them.
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      }),
    );
  });
}
