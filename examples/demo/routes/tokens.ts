/**
 * Tokens: `POST /api/token` and `/api/token/refresh` for API clients (JSON
 * in, OAuth-style JSON out), and `/spa/auth/*` for the single-page app, whose
 * refresh token lives in an HttpOnly cookie sent only to those routes.
 */

import type { RefreshInvalidReason, TokenPair } from '@latchkey/core/tokens';
import type { Clock } from '@latchkey/core';
import type { Hono } from 'hono';
import { SPA_AUTH, type DemoEnv, type DemoSessions } from '../sessions.js';
import { authenticate } from '../users.js';
import { badRequest, readFields } from './common.js';

const NO_STORE = { 'cache-control': 'no-store' };

/** The core's `session_expired` reason for a refresh that failed, as the browser client reads it. */
function expiryReason(reason: RefreshInvalidReason): string {
  if (reason === 'expired-idle') return 'idle';
  if (reason === 'expired-absolute') return 'absolute';
  if (reason === 'revoked' || reason === 'reuse-detected') return 'revoked';
  return 'unauthenticated';
}

export function tokenRoutes(app: Hono<DemoEnv>, sessions: DemoSessions, clock: Clock) {
  const { tokens } = sessions;
  const issueFor = async (username: unknown, password: unknown): Promise<TokenPair | null> => {
    const user = await authenticate(username, password);
    return user ? tokens.issue(user.id, { auth_time: Math.floor(clock.now() / 1000) }) : null;
  };
  const oauth = (pair: TokenPair) => ({
    access_token: pair.accessToken,
    token_type: 'Bearer',
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
    refresh_token_expires_in: pair.refreshExpiresIn,
  });

  app.post('/api/token', async (c) => {
    const fields = await readFields(c);
    if (!fields) return badRequest(c, 'send username and password as JSON or a form');
    const pair = await issueFor(fields.username, fields.password);
    if (!pair) return c.json({ error: 'invalid_credentials' }, 401, NO_STORE);
    return c.json(oauth(pair), 200, NO_STORE);
  });

  app.post('/api/token/refresh', async (c) => {
    const fields = await readFields(c);
    if (!fields?.refresh_token) return badRequest(c, 'send refresh_token as JSON or a form');
    const outcome = await tokens.refresh(fields.refresh_token);
    if (outcome.valid) return c.json(oauth(outcome.tokens), 200, NO_STORE);
    if (outcome.reason === 'reuse-detected')
      return c.json(
        {
          error: 'refresh_token_reused',
          message:
            'this refresh token was already used: its whole family is revoked; sign in again',
        },
        401,
        NO_STORE,
      );
    return c.json({ error: 'invalid_refresh_token', reason: outcome.reason }, 401, NO_STORE);
  });

  // The single-page app: the access token goes to the page (kept in memory), the refresh token into the cookie.
  const forPage = (pair: TokenPair) =>
    new Response(JSON.stringify({ accessToken: pair.accessToken, expiresIn: pair.expiresIn }), {
      headers: {
        'content-type': 'application/json',
        ...NO_STORE,
        'set-cookie': tokens.refreshCookie(pair),
      },
    });
  const signedOut = (reason: string) =>
    new Response(JSON.stringify({ error: 'session_expired', reason }), {
      status: 401,
      headers: {
        'content-type': 'application/json',
        ...NO_STORE,
        'set-cookie': tokens.clearRefreshCookie(),
      },
    });

  app.post(`${SPA_AUTH}/login`, async (c) => {
    const fields = await readFields(c);
    if (!fields) return badRequest(c, 'send username and password as JSON');
    const pair = await issueFor(fields.username, fields.password);
    if (!pair) return c.json({ error: 'invalid_credentials' }, 401, NO_STORE);
    return forPage(pair);
  });
  app.post(`${SPA_AUTH}/refresh`, async (c) => {
    const presented = tokens.readRefreshToken(c.req.raw);
    if (!presented) return signedOut('unauthenticated');
    const outcome = await tokens.refresh(presented);
    return outcome.valid ? forPage(outcome.tokens) : signedOut(expiryReason(outcome.reason));
  });
  app.post(`${SPA_AUTH}/logout`, async (c) => {
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const refreshToken = tokens.readRefreshToken(c.req.raw);
    await tokens.logout({
      ...(bearer ? { accessToken: bearer } : {}),
      ...(refreshToken ? { refreshToken } : {}),
    });
    return c.json({ ok: true }, 200, { ...NO_STORE, 'set-cookie': tokens.clearRefreshCookie() });
  });
}
