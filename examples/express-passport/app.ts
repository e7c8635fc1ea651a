/**
 * An Express app with Passport (passport-local), written as for express-session, on the
 * `expressSession()` drop-in from @latchkey/node: only the session middleware call differs.
 * Built from what varies (the store, the clock) so server.ts can start it and the smoke test
 * can inject a clock. Routes: POST /login · GET /me (signed in only) · POST /logout.
 */

import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { presets, type Clock, type SessionStore } from '@latchkey/core';
import { expressSession } from '@latchkey/node';

/** Any user name signs in with this password: a demo, not a user database. */
export const DEMO_PASSWORD = 'correct horse battery staple';

type User = { id: string };

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
  // Was: session({ secret, resave: false, saveUninitialized: false, store, cookie: { maxAge } }).
  // No secret (the cookie is a 256-bit random ID) and no resave (only changed keys are written);
  // the timeouts are the policy's, enforced on the server.
  const sessions = expressSession({
    latchkey: {
      policy: presets.productivity, // idle 30 min sliding, absolute 24 h
      store: options.store,
      ...(options.clock ? { clock: options.clock } : {}),
      // Served on plain http://localhost, where a Secure cookie is not sent back: no Secure, no
      // __Host- prefix. Behind HTTPS in production, drop this line (Secure and __Host- are the default).
      cookie: { development: true, ...(options.warn ? { warn: options.warn } : {}) },
    },
    csrf: true, // a POST must come from this origin (Origin / Sec-Fetch-Site), else 403
  });

  // An instance rather than passport's singleton, so each app built has its own strategies.
  const passport = new Passport();
  passport.use(
    new LocalStrategy((username, password, done) => {
      const ok = /^[\w.@+-]{1,64}$/.test(username) && password === DEMO_PASSWORD;
      done(null, ok ? { id: username } : false);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as User).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));

  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(express.json({ limit: '4kb' }));
  app.use(sessions);
  app.use(passport.initialize());
  app.use(passport.session());

  // Passport's login regenerates the session; the drop-in turns that into Latchkey's login():
  // a new session ID (session fixation) and the absolute timeout counted from now.
  app.post('/login', passport.authenticate('local'), (req, res) => {
    res.json({ user: (req.user as User).id });
  });

  app.get('/me', (req, res) => {
    if (!req.isAuthenticated()) return void res.status(401).json({ error: 'unauthenticated' });
    res.json({ user: (req.user as User).id });
  });

  // req.logout ends the session on the server: a copy of the old cookie signs no one in.
  app.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.json({ loggedOut: true })));
  });

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
