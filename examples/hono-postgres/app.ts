/**
 * Hono on Node with sessions in PostgreSQL: the app built from what varies (the store, the clock, the
 * port), so server.ts can start it from the environment and the smoke test on a throwaway PostgreSQL.
 * Routes: POST /login · GET /me (signed in only) · POST /logout.
 */

import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createLatchkey, presets, type Clock, type SessionStore } from '@latchkey/core';
import { latchkey, requireSession } from '@latchkey/hono';
import type { AddressInfo } from 'node:net';

/** Any user name signs in with this password: a demo, not a user database. */
export const DEMO_PASSWORD = 'correct horse battery staple';

export interface AppOptions {
  store: SessionStore;
  /** Default: the system clock. The smoke test injects a `ManualClock`. */
  clock?: Clock;
  /** Where core's development-cookie warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

/**
 * @example
 * const app = createApp({ store: (await connectPostgres(url)).store });
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function createApp(options: AppOptions): Hono {
  const engine = createLatchkey({
    policy: presets.productivity, // idle 30 min sliding, absolute 24 h
    store: options.store,
    ...(options.clock ? { clock: options.clock } : {}),
    // Served on plain http://localhost, where a Secure cookie is not sent back: no Secure, no
    // __Host- prefix. Behind HTTPS in production, drop this line (Secure and __Host- are the default).
    cookie: { development: true, ...(options.warn ? { warn: options.warn } : {}) },
  });

  const app = new Hono();
  // CSRF guard: a POST must come from this origin (Origin / Sec-Fetch-Site), else 403.
  app.use(latchkey(engine, { csrf: true }));

  app.post('/login', async (c) => {
    const { username, password } = await credentials(c.req.raw);
    if (!/^[\w.@+-]{1,64}$/.test(username) || password !== DEMO_PASSWORD) {
      return c.json({ error: 'invalid_credentials' }, 401);
    }
    await c.var.session.login(username); // a new session ID every time: session-fixation defence
    return c.json({ user: username });
  });

  // Without a signed-in session: 401 JSON with the reason (idle, absolute, revoked, missing). An API
  // route, so JSON whatever the client accepts; with a login page, leave out `mode` and pages get
  // a redirect to it.
  app.get('/me', requireSession({ mode: 'json' }), (c) =>
    c.json({ user: c.var.session.current.userId }),
  );

  app.post('/logout', async (c) => {
    await c.var.session.logout(); // deletes the row in PostgreSQL and clears the cookie
    return c.json({ loggedOut: true });
  });

  return app;
}

/**
 * Serve the app on 127.0.0.1 (`port` 0: any free port); resolves once it listens.
 *
 * @example
 * const running = await startServer(createApp({ store }), 3000);
 * console.log(running.url);
 */
export function startServer(
  app: Hono,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    // Loopback only: the development cookie above must never face a network.
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

/** `username` and `password` from a JSON or urlencoded body (at most 4 KiB). */
async function credentials(request: Request): Promise<{ username: string; password: string }> {
  const type = request.headers.get('content-type') ?? '';
  const text = await request.text();
  if (text.length > 4096) return { username: '', password: '' };
  const fields: Record<string, unknown> = type.startsWith('application/json')
    ? (JSON.parse(text || '{}') as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(text));
  const field = (name: string) => (typeof fields[name] === 'string' ? fields[name].trim() : '');
  return { username: field('username'), password: field('password') };
}
