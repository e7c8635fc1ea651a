/** The JSON API the pages and tests use: who am I, my sessions and devices, the transfer. */

import { authenticateBearer, readBearerToken } from '@latchkey/core';
import type { Hono } from 'hono';
import type { DemoCredentials } from '../passkeys.js';
import type { DemoEnv, DemoSessions } from '../sessions.js';
import { badRequest, readFields, seeOther, sessionState, signedIn, wantsJson } from './common.js';
import { devicesOf, transferAuthAge } from './pages.js';

const NO_STORE = { 'cache-control': 'no-store' };

export function apiRoutes(
  app: Hono<DemoEnv>,
  sessions: DemoSessions,
  credentials: Pick<DemoCredentials, 'count'>,
) {
  // A bearer token (the single-page app, `/api/token` clients) or the cookie session.
  app.get('/api/me', async (c, next) => {
    if (readBearerToken(c.req.raw) === null) return next();
    const outcome = await authenticateBearer(c.req.raw, sessions.tokens);
    if (!outcome.valid) return outcome.response;
    const { claims } = outcome;
    return c.json(
      {
        user: claims.sub,
        preset: 'api',
        via: 'access-token',
        createdAt: claims.iat * 1000,
        idleExpiresAt: claims.exp * 1000,
        absoluteExpiresAt: claims.exp * 1000,
        authTime: typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : null,
        viaRememberMe: false,
      },
      200,
      NO_STORE,
    );
  });
  app.get('/api/me', signedIn(true), (c) => {
    const { user, current, preset } = c.var;
    return c.json(
      {
        user: user.id,
        preset,
        via: 'cookie',
        ...sessionState(current),
      },
      200,
      NO_STORE,
    );
  });

  app.get('/api/sessions', signedIn(true), async (c) =>
    c.json({ sessions: await devicesOf(sessions, c) }, 200, NO_STORE),
  );

  /**
   * Revoke one of the user's own sessions or devices (a handle is looked up in their own list
   * first). A session that a remembered device keeps re-creating takes the device with it, or
   * that browser would sign itself straight back in.
   */
  const revokeOwn = async (c: Parameters<typeof devicesOf>[1], id: string): Promise<boolean> => {
    const row = (await devicesOf(sessions, c)).find((r) => r.id === id);
    if (!row) return false;
    if (row.kind === 'remembered-device') return sessions.devices.revokeRememberedLogin(id);
    if (row.rememberedDevice) await sessions.devices.revokeRememberedLogin(row.rememberedDevice);
    await sessions.devices.revokeSession(id);
    return true;
  };
  app.delete('/api/sessions/:id', signedIn(true), async (c) => {
    if (!(await revokeOwn(c, c.req.param('id'))))
      return c.json({ error: 'not_found' }, 404, NO_STORE);
    return c.json({ ok: true }, 200, NO_STORE);
  });
  // The devices page's form, for a browser without scripts: POST, then back to the list.
  app.post('/api/sessions/:id/revoke', signedIn(), async (c) => {
    const own = await revokeOwn(c, c.req.param('id'));
    if (wantsJson(c)) return c.json({ ok: own }, own ? 200 : 404, NO_STORE);
    return seeOther(c, '/devices');
  });

  app.post('/api/transfer', signedIn(true), async (c) => {
    const fields = await readFields(c);
    if (!fields) return badRequest(c, 'send amount and to as a form or as JSON');
    const engine = sessions.engines[c.var.preset];
    // A passkey when the person has one, the password always (the fallback); a silent
    // remember-me sign-in is neither, so it asks.
    const passkey = (await credentials.count(c.var.user.id)) > 0;
    const check = engine.requireFreshAuth(c.var.current, {
      methods: passkey ? ['passkey', 'password'] : ['password'],
      maxAge: transferAuthAge(engine.policy.freshAuthAge),
    });
    if (!check.fresh) return check.response;
    const amount = Number(fields.amount ?? 0);
    if (!Number.isFinite(amount) || amount <= 0)
      return badRequest(c, 'amount must be a positive number');
    return c.json({ ok: true, amount, to: fields.to ?? 'bob' }, 200, NO_STORE);
  });
}
