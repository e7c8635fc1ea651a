/**
 * The three cookie-bearing routes of the single-page app, under /auth: login (a new refresh
 * family), refresh (rotation; a replayed token revokes its family) and logout (revokes it).
 * The access token goes to the page in the JSON body, the refresh token into the cookie.
 */

import { csrfGuard } from '@latchkey/core';
import type { RefreshInvalidReason, TokenIssuer, TokenPair } from '@latchkey/core/tokens';
import { Hono } from 'hono';

/** Any user name signs in with this password: a demo, not a user database. */
export const DEMO_PASSWORD = 'correct horse battery staple';

const NO_STORE = { 'cache-control': 'no-store' };

/** The `session_expired` reason @latchkey/client reads from a refused refresh. */
function expiryReason(reason: RefreshInvalidReason): string {
  if (reason === 'expired-idle') return 'idle';
  if (reason === 'expired-absolute') return 'absolute';
  if (reason === 'revoked' || reason === 'reuse-detected') return 'revoked';
  return 'unauthenticated';
}

/**
 * Mount with `app.route('/auth', authRoutes(tokens))`; the issuer's refresh cookie must be
 * scoped to `/auth`, so that refresh and logout receive it and no other route does.
 *
 * @example
 * const tokens = createTokenIssuer({ keys, store, policy: presets.api, cookie: { path: '/auth' } });
 * app.route('/auth', authRoutes(tokens));
 */
export function authRoutes(tokens: TokenIssuer): Hono {
  const auth = new Hono();
  // Every route here is a POST a browser sends with the refresh cookie: refused unless it comes
  // from this origin (Origin / Sec-Fetch-Site, docs/security.md), login included (login CSRF).
  const csrf = csrfGuard();
  auth.use(async (c, next) => csrf(c.req.raw) ?? next());

  // What @latchkey/client reads: `{ accessToken, expiresIn }`; the page asks /api/me who it is.
  const issued = (pair: TokenPair) =>
    new Response(JSON.stringify({ accessToken: pair.accessToken, expiresIn: pair.expiresIn }), {
      headers: {
        'content-type': 'application/json',
        ...NO_STORE,
        'set-cookie': tokens.refreshCookie(pair),
      },
    });
  const refused = (reason: string) =>
    new Response(JSON.stringify({ error: 'session_expired', reason }), {
      status: 401,
      headers: {
        'content-type': 'application/json',
        ...NO_STORE,
        'set-cookie': tokens.clearRefreshCookie(),
      },
    });

  auth.post('/login', async (c) => {
    const body = await c.req.json<{ username?: unknown; password?: unknown }>().catch(() => null);
    const username = typeof body?.username === 'string' ? body.username.trim() : '';
    if (!/^[\w.@+-]{1,64}$/.test(username) || body?.password !== DEMO_PASSWORD)
      return c.json({ error: 'invalid_credentials' }, 401, NO_STORE);
    return issued(await tokens.issue(username));
  });

  auth.post('/refresh', async (c) => {
    const presented = tokens.readRefreshToken(c.req.raw);
    if (!presented) return refused('unauthenticated');
    // Rotation: the presented token is used up. Presented again (a stolen copy, or the
    // legitimate one after the thief's), it revokes the whole family (RFC 9700 §4.14.2).
    const outcome = await tokens.refresh(presented);
    return outcome.valid ? issued(outcome.tokens) : refused(expiryReason(outcome.reason));
  });

  auth.post('/logout', async (c) => {
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const refreshToken = tokens.readRefreshToken(c.req.raw);
    // The family ends server-side (a copy of the cookie refreshes nothing), and so does the
    // access token the page held, instead of living out its five minutes.
    await tokens.logout({
      ...(bearer ? { accessToken: bearer } : {}),
      ...(refreshToken ? { refreshToken } : {}),
    });
    return c.json({ ok: true }, 200, { ...NO_STORE, 'set-cookie': tokens.clearRefreshCookie() });
  });
  return auth;
}
