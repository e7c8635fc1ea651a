/**
 * The fixture app as a Hono app on @latchkey/hono: the same routes and
 * answers as `app.ts`, written the way a Hono user would, with the guards.
 */

import { Hono } from 'hono';
import { latchkey, requireFreshAuth, requireSession } from '../../adapters/hono/src/index.js';
import {
  APP_COOKIE,
  createFixture,
  describeSession,
  loginForm,
  secureLogin,
  type Fixture,
} from './app.js';

export function createHonoApp(fixture: Fixture = createFixture()): Hono {
  const app = new Hono();
  // An app's own error page; the middleware still turns a store failure into a 503.
  app.onError((_error, c) => c.text('Internal Server Error', 500));
  app.post('/__clock', async (c) => (await fixture.control(c.req.raw))!);
  app.post('/__store', async (c) => (await fixture.control(c.req.raw))!);
  app.use(latchkey(fixture.latchkey));
  app.get('/public', (c) => c.text('public'));
  app.post('/login', async (c) => {
    const { user, rememberMe } = loginForm(await c.req.json());
    const session = await c.get('session').login(user, { rememberMe });
    c.header('set-cookie', APP_COOKIE, { append: true });
    return c.json({ user: session.userId, handle: session.handle });
  });
  app.post('/secure-login', (c) => secureLogin(fixture, c.req.raw));
  app.post('/logout', async (c) => {
    await c.var.session.logout();
    return c.json({ ok: true });
  });
  app.get('/me', requireSession(), (c) => c.json(describeSession(c.var.session.current)));
  app.post('/data', requireSession(), async (c) => {
    const { key, value } = await c.req.json<{ key: string; value: unknown }>();
    const session = c.var.session.current;
    session.set(key, value);
    return c.json(describeSession(session));
  });
  app.post('/privilege', requireSession(), async (c) =>
    c.json(describeSession(await c.var.session.regenerate())),
  );
  app.get('/sensitive', requireFreshAuth(), (c) => c.json({ ok: true }));
  return app;
}
