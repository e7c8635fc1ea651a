/**
 * A Cloudflare Worker with sessions in a Durable Object (`LatchkeySessionsDO`, bound as SESSIONS:
 * strongly consistent, so a logout holds everywhere at once) and a KV namespace (USERS) for the
 * user directory, read-heavy data that eventual consistency suits. Bindings: wrangler.toml.
 * Routes: POST /login · GET /me (signed in only) · POST /logout.
 */

import { createLatchkey, expiryResponse, presets } from '@latchkey/core';
import {
  durableObjectStore,
  withWorkerSessions,
  type DurableObjectNamespaceLike,
  type KvNamespaceLike,
} from '@latchkey/workers';

// The class the SESSIONS binding names (wrangler.toml's durable_objects and migrations).
export { LatchkeySessionsDO } from '@latchkey/workers';

/** Any user name signs in with this password: a demo, not a user database. (Not exported: a
 * Worker module's exports must be handlers or Durable Object classes.) */
const DEMO_PASSWORD = 'correct horse battery staple';

interface Env {
  SESSIONS: DurableObjectNamespaceLike;
  USERS: KvNamespaceLike;
  /** `"true"` only in local runs on plain http://localhost (.dev.vars, which deploys never read). */
  DEVELOPMENT_COOKIE?: string;
}

/** What the directory keeps per user; a real app would keep its accounts here. */
interface UserProfile {
  name: string;
  lastLoginAt: string;
}

export default {
  // The engine is built on the first request (workerd forbids I/O and randomness at module scope)
  // and kept for the isolate's life.
  fetch: withWorkerSessions(
    (env: Env) =>
      createLatchkey({
        policy: presets.productivity, // idle 30 min sliding, absolute 24 h
        store: durableObjectStore(env.SESSIONS),
        // Local runs are plain http://localhost, where a Secure cookie is not sent back: no
        // Secure, no __Host- prefix there. Deployed (HTTPS), the var is unset and both are on.
        cookie: { development: env.DEVELOPMENT_COOKIE === 'true' },
      }),
    async ({ request, session, env }) => {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      if (route === 'POST /login') {
        const { username, password } = await credentials(request);
        if (!/^[\w.@+-]{1,64}$/.test(username) || password !== DEMO_PASSWORD) {
          return Response.json({ error: 'invalid_credentials' }, { status: 401 });
        }
        await session.login(username); // a new session ID every time: session-fixation defence
        const profile: UserProfile = { name: username, lastLoginAt: new Date().toISOString() };
        await env.USERS.put(`user:${username}`, JSON.stringify(profile));
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
        await session.logout(); // deletes the session in the Durable Object and clears the cookie
        return Response.json({ loggedOut: true });
      }
      return Response.json({ error: 'not_found' }, { status: 404 });
    },
    { csrf: true }, // a POST must come from this origin (Origin / Sec-Fetch-Site), else 403
  ),
};

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
