/** Signing in and out: the login page, `POST /login`, logout, log out everywhere, step-up. */

import { presets, safeReturnTo } from '@latchkey/core';
import type { Hono } from 'hono';
import { loginUnderActive, type DemoEnv, type DemoSessions } from '../sessions.js';
import { authenticate, USERS } from '../users.js';
import { frame } from '../views/html.js';
import { loginPage } from '../views/pages.js';
import type { PlaygroundPanel } from './playground.js';
import { backTo, badRequest, readFields, seeOther, signedIn, wantsJson } from './common.js';

const YES = new Set(['1', 'true', 'on', 'yes']);

export function authRoutes(app: Hono<DemoEnv>, sessions: DemoSessions, panel: PlaygroundPanel) {
  const offered = () => presets[sessions.active].rememberMe !== false;
  const page = (
    c: Parameters<PlaygroundPanel>[0],
    view: { returnTo?: string | undefined; notice?: string | undefined; error?: string },
  ) =>
    frame(
      { title: 'Sign in', playground: panel(c), scripts: ['/public/demo.js'] },
      loginPage({
        users: USERS,
        preset: sessions.active,
        rememberMeOffered: offered(),
        ...view,
      }),
    );

  app.get('/login', (c) => {
    const origin = new URL(c.req.url).origin;
    const returnTo = safeReturnTo(c.req.query('returnTo'), origin);
    return c.html(page(c, { returnTo, notice: c.req.query('reason') }), 200, {
      'cache-control': 'no-store',
    });
  });

  app.post('/login', async (c) => {
    const fields = await readFields(c);
    if (!fields) return badRequest(c, 'send username and password as a form or as JSON');
    const returnTo = backTo(c, fields.returnTo);
    const user = await authenticate(fields.username, fields.password);
    if (!user) {
      if (wantsJson(c))
        return c.json({ error: 'invalid_credentials' }, 401, { 'cache-control': 'no-store' });
      return c.html(page(c, { returnTo, error: 'Wrong user name or password.' }), 401, {
        'cache-control': 'no-store',
      });
    }
    const remember = offered() && YES.has(fields.remember ?? '');
    const cookies = await loginUnderActive(sessions, c, user.id, remember);
    const response = wantsJson(c)
      ? c.json({ user: user.id, preset: sessions.active, rememberMe: remember }, 200, {
          'cache-control': 'no-store',
        })
      : seeOther(c, returnTo);
    for (const line of cookies) response.headers.append('set-cookie', line);
    return response;
  });

  app.post('/logout', async (c) => {
    await c.var.session.logout();
    return wantsJson(c) ? c.json({ ok: true }) : seeOther(c, '/login');
  });

  app.post('/logout-all', signedIn(), async (c) => {
    // The engine with remember-me also forgets every remembered device of the user.
    const ended = await sessions.devices.revokeUser(c.var.user.id);
    await c.var.session.logout();
    return wantsJson(c) ? c.json({ ok: true, ended }) : seeOther(c, '/login');
  });

  app.post('/api/step-up', signedIn(true), async (c) => {
    const fields = await readFields(c);
    if (!fields) return badRequest(c, 'send password as a form or as JSON');
    const user = await authenticate(c.var.user.id, fields.password);
    if (!user)
      return c.json({ error: 'invalid_credentials' }, 401, { 'cache-control': 'no-store' });
    const session = await c.var.session.reauthenticate({ method: 'password' });
    session.delete('viaRememberMe'); // the person just typed their password
    return c.json({ ok: true, authTime: session.authTime }, 200, { 'cache-control': 'no-store' });
  });
}
