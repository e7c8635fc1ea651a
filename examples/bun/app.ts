/**
 * The Bun example's app: a plain fetch handler wrapped by the core's `withSessions`, which is
 * what `Bun.serve` takes. Built from what varies (the store, the clock); server.ts serves it.
 * Routes: POST /login · GET /me (signed in only) · POST /logout.
 */

import {
  createLatchkey,
  expiryResponse,
  presets,
  withSessions,
  type Clock,
  type SessionStore,
} from '@latchkey/core';

/** Any user name signs in with this password: a demo, not a user database. */
export const DEMO_PASSWORD = 'correct horse battery staple';

export interface AppOptions {
  store: SessionStore;
  /** Default: the system clock. */
  clock?: Clock;
}

/**
 * @example
 * const fetch = createApp({ store: new MemoryStore() });
 * Bun.serve({ port: 3000, fetch });
 */
export function createApp(options: AppOptions): (request: Request) => Promise<Response> {
  const latchkey = createLatchkey({
    policy: presets.productivity, // idle 30 min sliding, absolute 24 h
    store: options.store,
    ...(options.clock ? { clock: options.clock } : {}),
    // Served on plain http://localhost, where a Secure cookie is not sent back: no Secure, no
    // __Host- prefix. Behind HTTPS in production, drop this line (Secure and __Host- are the default).
    cookie: { development: true },
  });

  // withSessions commits every response (store, then Set-Cookie), answers a store outage with
  // 503, and with csrf refuses a POST from another origin with 403 before any route runs.
  const handler = withSessions(
    latchkey,
    async ({ request, session }) => {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      if (route === 'POST /login') {
        const { username, password } = await credentials(request);
        if (!/^[\w.@+-]{1,64}$/.test(username) || password !== DEMO_PASSWORD) {
          return Response.json({ error: 'invalid_credentials' }, { status: 401 });
        }
        await session.login(username); // a new session ID every time: session-fixation defence
        return Response.json({ user: username });
      }
      if (route === 'GET /me') {
        const outcome = await session.load();
        // An API route: 401 JSON with the reason (idle, absolute, revoked, missing), whatever the
        // client accepts; an app with a login page leaves out `mode` so pages get a redirect to it.
        if (!outcome.valid) return expiryResponse(request, outcome, json);
        if (outcome.session.userId === null)
          return expiryResponse(request, { reason: 'missing' }, json);
        return Response.json({ user: outcome.session.userId });
      }
      if (route === 'POST /logout') {
        await session.logout(); // deletes the record in the store and clears the cookie
        return Response.json({ loggedOut: true });
      }
      return Response.json({ error: 'not_found' }, { status: 404 });
    },
    { csrf: true },
  );
  return (request) => handler(request);
}

const json = { mode: 'json' } as const;

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
