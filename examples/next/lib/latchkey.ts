/**
 * The session engine for the Node side of the app (route handlers and server components):
 * `createLatchkey` on the embedded SQLite store, built on first use so `next build`, which
 * imports every route to collect its config, opens no database.
 */

import {
  createLatchkey,
  presets,
  withSessions,
  type FetchHandler,
  type Latchkey,
  type SessionHandler,
  type WithSessionsOptions,
} from '@latchkey/core';
import { sqliteStore } from '@latchkey/sql/libsql';
import { asAddressed } from './addressed-url';
import { sessionCookieOptions } from './cookie-options';

let engine: Latchkey | undefined;

/**
 * The app's one engine. SESSIONS_DB moves the database file (default `.data/sessions.db`, next
 * to this app); every Next worker and every `next start` on this host shares it.
 *
 * @example
 * const outcome = await latchkey().forRequest(request).load();
 */
export function latchkey(): Latchkey {
  engine ??= createLatchkey({
    policy: presets.productivity, // idle 30 min sliding, absolute 24 h
    store: sqliteStore({ url: `file:${process.env.SESSIONS_DB ?? '.data/sessions.db'}` }),
    cookie: sessionCookieOptions,
  });
  return engine;
}

/** Any user name signs in with this password: a demo, not a user database. */
export const DEMO_PASSWORD = 'correct horse battery staple';

/**
 * A route handler with sessions: `withSessions` around `handler` (the session committed to its
 * response, a store outage answered 503), wrapped on the first request, not at import. The
 * handler sees the request at the URL its client addressed (see addressed-url.ts).
 *
 * @example
 * export const GET = sessionRoute(async ({ session }) => Response.json(await session.load()));
 */
export function sessionRoute(
  handler: SessionHandler,
  options: WithSessionsOptions = {},
): (request: Request) => Promise<Response> {
  let wrapped: FetchHandler | undefined;
  // Only the request: Next's second argument ({ params }) is no device facts.
  return (request) =>
    (wrapped ??= withSessions(latchkey(), handler, options))(asAddressed(request));
}
