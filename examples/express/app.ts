/**
 * An Express app on `latchkeyMiddleware` from @latchkey/node, built from what varies (the store,
 * the clock), so server.ts can start it and the smoke test can inject a clock.
 * Routes: POST /login · GET /me (signed in only) · POST /logout.
 */

import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLatchkey,
  expiryResponse,
  presets,
  type Clock,
  type SessionStore,
} from '@latchkey/core';
import { latchkeyErrorHandler, latchkeyMiddleware, writeResponse } from '@latchkey/node';

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
 * const app = createApp({ store: new MemoryStore() });
 * app.listen(3000);
 */
export function createApp(options: AppOptions): express.Express {
  const engine = createLatchkey({
    policy: presets.productivity, // idle 30 min sliding, absolute 24 h
    store: options.store,
    ...(options.clock ? { clock: options.clock } : {}),
    // Served on plain http://localhost, where a Secure cookie is not sent back: no Secure, no
    // __Host- prefix. Behind HTTPS in production, drop this line (Secure and __Host- are the default).
    cookie: { development: true, ...(options.warn ? { warn: options.warn } : {}) },
  });

  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(express.json({ limit: '4kb' }));
  // CSRF guard: a POST must come from this origin (Origin / Sec-Fetch-Site), else 403.
  app.use(latchkeyMiddleware(engine, { csrf: true }));

  /**
   * Signed in, or the core's expiry answer: 401 JSON with the reason (idle, absolute, revoked,
   * missing). An API route, so JSON whatever the client accepts; with a login page, leave out
   * `mode` and pages get a redirect to it.
   */
  const requireSession: express.RequestHandler = async (req, res, next) => {
    const outcome = await req.session.load();
    if (outcome.valid && outcome.session.userId !== null) return next();
    await writeResponse(
      res,
      expiryResponse(req.session.request, outcome.valid ? { reason: 'missing' } : outcome, {
        mode: 'json',
      }),
    );
  };

  app.post('/login', async (req, res) => {
    const username = String(req.body?.username ?? '').trim();
    if (!/^[\w.@+-]{1,64}$/.test(username) || req.body?.password !== DEMO_PASSWORD) {
      return void res.status(401).json({ error: 'invalid_credentials' });
    }
    await req.session.login(username); // a new session ID every time: session-fixation defence
    res.json({ user: username });
  });

  app.get('/me', requireSession, (req, res) => {
    res.json({ user: req.session.current!.userId });
  });

  app.post('/logout', async (req, res) => {
    await req.session.logout(); // deletes the record in the store and clears the cookie
    res.json({ loggedOut: true });
  });

  app.use(latchkeyErrorHandler()); // a store outage answers 503, a lost write race 409
  return app;
}

/**
 * Serve the app on 127.0.0.1 (`port` 0: any free port); resolves once it listens.
 *
 * @example
 * const running = await startServer(createApp({ store }), 3000);
 */
export function startServer(
  app: express.Express,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(app);
  return new Promise((resolve) => {
    // Loopback only: the development cookie above must never face a network.
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        },
      }),
    );
  });
}
