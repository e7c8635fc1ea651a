/**
 * The demo as a Hono app: the engines (one per preset) on one store and the
 * demo clock, the pages, the JSON API, tokens and the playground. `demo.ts`
 * serves it on Node; the tests start it the same way on a free port.
 */

import { createMonitor } from '@latchkey/core/monitor';
import { latchkeyErrorHandler } from '@latchkey/hono';
import { Hono } from 'hono';
import type { Asset } from './assets.js';
import type { DemoClock } from './clock.js';
import { EventLog } from './event-log.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { credentialTable, demoPasskeys } from './passkeys.js';
import { pageRoutes } from './routes/pages.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { playgroundPanel, playgroundRoutes } from './routes/playground.js';
import { tokenRoutes } from './routes/tokens.js';
import { createSessions, type DemoEnv, type DemoSessions } from './sessions.js';
import type { OpenedStore } from './stores.js';

export interface DemoAppOptions {
  store: OpenedStore;
  clock: DemoClock;
  /** The access tokens' HMAC key (kept in the data folder, so tokens survive a restart). */
  tokenSecret: string;
  assets: ReadonlyMap<string, Asset>;
  /** Served over HTTPS: Secure, prefixed cookies. */
  secure?: boolean;
}

export interface DemoApp {
  readonly app: Hono<DemoEnv>;
  readonly sessions: DemoSessions;
  readonly events: EventLog;
}

/** Scripts and styles from this origin only; no framing; no referrer to other sites. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export function createDemoApp(options: DemoAppOptions): DemoApp {
  const { clock, store } = options;
  // One monitor for every engine and the token issuer: counts over 5 minutes, anomalies, /metrics.
  const events = new EventLog(createMonitor({ clock, window: '5m' }));
  const sessions = createSessions({
    store,
    clock,
    events,
    tokenSecret: options.tokenSecret,
    secure: options.secure,
  });
  const app = new Hono<DemoEnv>();

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  });
  for (const [path, asset] of options.assets)
    app.get(path, (c) =>
      c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' }),
    );
  app.get('/favicon.ico', (c) => c.redirect('/public/icon.svg', 301));

  app.use(sessions.middleware);
  const panel = playgroundPanel(sessions, clock, store.label);
  authRoutes(app, sessions, panel);
  const credentials = credentialTable(store.store, clock);
  pageRoutes(app, sessions, panel, credentials);
  apiRoutes(app, sessions, credentials);
  passkeyRoutes(app, demoPasskeys(store.store, clock, credentials), credentials);
  tokenRoutes(app, sessions, clock);
  playgroundRoutes(app, { sessions, clock, events, storeLabel: store.label });
  app.get('/metrics', (c) =>
    c.body(events.monitor.metrics(), 200, {
      'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      'cache-control': 'no-store',
    }),
  );
  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  // Store failures answer 503 without a stack in the log; anything else is a logged 500.
  app.onError(
    latchkeyErrorHandler((error, c) => {
      console.error(error);
      return c.json({ error: 'internal_error' }, 500);
    }),
  );
  return { app, sessions, events };
}
