// Passport (the real npm package) on real Express with @latchkey/node's middleware: req.login, which calls
// express-session's req.session.regenerate(cb), used to reject unhandled and take the process down.
import express from 'express';
import passport from 'passport';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { latchkeyErrorHandler, latchkeyMiddleware } from '../src/index.js';

/** A Passport strategy that signs in whoever the `x-user` header names (a stand-in for passport-local). */
class HeaderStrategy extends passport.Strategy {
  override name = 'header';
  override authenticate(req: express.Request): void {
    const user = req.headers['x-user'];
    if (typeof user === 'string') this.success({ id: user });
    else this.fail(401);
  }
}
passport.use(new HeaderStrategy());
passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
passport.deserializeUser((id: string, done) => done(null, { id }));

let server: Server | undefined;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);
beforeEach(() => {
  rejections.length = 0;
  process.on('unhandledRejection', onRejection);
});
afterEach(async () => {
  process.off('unhandledRejection', onRejection);
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Give a stray rejection the turns of the event loop it needs to be reported (no timer involved). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

function app() {
  const clock = new ManualClock();
  const latchkey = createLatchkey({
    policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
    store: new MemoryStore({ clock }),
    clock,
    cookie: { development: true, warn: () => {} },
  });
  const app = express();
  app.use(latchkeyMiddleware(latchkey));
  app.use(passport.initialize());
  app.use(passport.session());
  // Passport's session login, as its docs show it for express-session.
  app.post('/passport-login', passport.authenticate('header'), (req, res) => {
    res.json({ user: (req.user as { id: string }).id });
  });
  app.post('/req-login', (req, res, next) => {
    req.login({ id: 'ada' }, (error) => (error ? next(error) : res.json({ user: 'ada' })));
  });
  // The fix the error names: Passport authenticates, Latchkey holds the session.
  app.post('/login', passport.authenticate('header', { session: false }), async (req, res) => {
    const session = await req.session.login((req.user as { id: string }).id);
    res.json({ user: session.userId });
  });
  app.get('/me', async (req, res) => {
    const outcome = await req.session.load();
    res.json(outcome.valid ? { user: outcome.session.userId } : null);
  });
  app.post('/save', async (req, res, next) => {
    await req.session.login('ada');
    req.session.current!.set('note', 'saved by save(cb)');
    req.session.save((error) => (error ? next(error) : res.json({ saved: true })));
  });
  app.post('/destroy', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.json({ destroyed: true })));
  });
  app.post('/throwing-callback', (req) => {
    req.session.save(() => {
      throw new Error('a bug in the callback');
    });
  });
  app.use(latchkeyErrorHandler());
  app.use(
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: error.message });
    },
  );
  return app;
}

const cookieOf = (response: Response) => response.headers.getSetCookie()[0]!.split(';')[0]!;

describe('Passport on latchkeyMiddleware', () => {
  it('req.login answers an error naming the fix, and the process sees no unhandled rejection', async () => {
    const base = await listen(app());
    for (const path of ['/req-login', '/passport-login']) {
      const response = await fetch(base + path, { method: 'POST', headers: { 'x-user': 'ada' } });
      expect(response.status, path).toBe(500);
      const { error } = await response.json();
      expect(error, path).toMatch(/req\.session\.regenerate\(callback\) is express-session's API/);
      expect(error, path).toMatch(/await req\.session\.login\(user\.id\)/);
      expect(error, path).toMatch(/\{ session: false \}/);
    }
    await settled();
    expect(rejections).toEqual([]);
    // The server is still up and answers the next request.
    expect(await (await fetch(`${base}/me`)).json()).toBeNull();
  });

  it('the named fix works: Passport authenticates with { session: false }, req.session.login signs in', async () => {
    const base = await listen(app());
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'x-user': 'grace' } });
    expect(await login.json()).toEqual({ user: 'grace' });
    const me = await fetch(`${base}/me`, { headers: { cookie: cookieOf(login) } });
    expect(await me.json()).toEqual({ user: 'grace' });
  });
});

describe("express-session's callback methods on req.session", () => {
  it('save(cb) writes the session and its cookie before calling back; destroy(cb) logs out', async () => {
    const base = await listen(app());
    const saved = await fetch(`${base}/save`, { method: 'POST' });
    expect(await saved.json()).toEqual({ saved: true });
    const cookie = cookieOf(saved);
    expect(await (await fetch(`${base}/me`, { headers: { cookie } })).json()).toEqual({
      user: 'ada',
    });
    const destroyed = await fetch(`${base}/destroy`, { method: 'POST', headers: { cookie } });
    expect(await destroyed.json()).toEqual({ destroyed: true });
    expect(destroyed.headers.getSetCookie().some((c) => /Max-Age=0/.test(c))).toBe(true);
    expect(await (await fetch(`${base}/me`, { headers: { cookie } })).json()).toBeNull();
  });

  it('a callback that throws reaches the error handlers instead of crashing the process', async () => {
    const base = await listen(app());
    const response = await fetch(`${base}/throwing-callback`, { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'a bug in the callback' });
    await settled();
    expect(rejections).toEqual([]);
  });
});
