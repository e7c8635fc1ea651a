// requireSession() and requireFreshAuth() for Express, over real HTTP: the answers a browser and
// a fetch() get, step-up by age and by method, and what a misplaced guard says.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore, type SessionStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import {
  expressSession,
  latchkeyErrorHandler,
  latchkeyMiddleware,
  requireFreshAuth,
  requireSession,
} from '../src/index.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup() {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const state = { storeDown: false };
  const store: SessionStore = {
    name: 'breakable',
    userIndex: memory.userIndex,
    get: async (key) => {
      if (state.storeDown) throw new Error('connection refused');
      return memory.get(key);
    },
    set: (key, value, ttl) => memory.set(key, value, ttl),
    delete: (key) => memory.delete(key),
  };
  const latchkey = createLatchkey({
    policy: { idleTimeout: '30m', absoluteTimeout: '8h', freshAuthAge: '5m' },
    store,
    clock,
    cookie: { development: true, warn: () => {} },
  });
  const app = express();
  app.use(latchkeyMiddleware(latchkey));
  app.post('/login', async (req, res) => {
    await req.session.login('ada', {
      method: req.query.method === 'passkey' ? 'passkey' : 'password',
    });
    res.json({ ok: true });
  });
  app.post('/visit', async (req, res) => {
    await req.session.start();
    res.json({ ok: true });
  });
  app.get('/account', requireSession({ loginPath: '/sign-in' }), (req, res) => {
    res.json({ user: req.session.current!.userId });
  });
  app.post('/password', requireFreshAuth(), (_req, res) => void res.json({ changed: true }));
  app.post(
    '/transfer',
    requireFreshAuth({ methods: ['passkey'], maxAge: '5m' }),
    (_req, res) => void res.json({ sent: true }),
  );
  app.use(latchkeyErrorHandler());
  const base = await listen(app);
  let cookie = '';
  const call = async (method: string, path: string, accept = 'application/json') => {
    const response = await fetch(base + path, {
      method,
      redirect: 'manual',
      headers: { accept, ...(cookie && { cookie }) },
    });
    const set = response.headers.getSetCookie()[0];
    if (set) cookie = set.split(';')[0]!;
    return response;
  };
  return { clock, state, call };
}

describe('requireSession() on Express', () => {
  it('a page without a session is sent to the login page with its way back; a fetch() gets 401 JSON', async () => {
    const { call } = await setup();
    const page = await call('GET', '/account?tab=2', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/sign-in?returnTo=%2Faccount%3Ftab%3D2');
    const api = await call('GET', '/account');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'session_expired', reason: 'unauthenticated' });
  });

  it('lets a signed-in session through, refuses an anonymous one, and says idle once the idle timeout passed', async () => {
    const { clock, call } = await setup();
    await call('POST', '/visit');
    expect((await call('GET', '/account')).status).toBe(401); // anonymous: not signed in
    await call('POST', '/login');
    const ok = await call('GET', '/account');
    expect([ok.status, await ok.json()]).toEqual([200, { user: 'ada' }]);
    clock.advance('31m');
    const late = await call('GET', '/account');
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ reason: 'idle' });
  });

  it('a store that fails while the guard loads answers 503 through latchkeyErrorHandler, never a 500', async () => {
    const { state, call } = await setup();
    await call('POST', '/login');
    state.storeDown = true;
    const down = await call('GET', '/account');
    expect(down.status).toBe(503);
  });
});

describe('requireFreshAuth() on Express', () => {
  it("asks for step-up once the sign-in is older than the policy's freshAuthAge", async () => {
    const { clock, call } = await setup();
    await call('POST', '/login');
    expect(await (await call('POST', '/password')).json()).toEqual({ changed: true });
    clock.advance('6m');
    const stale = await call('POST', '/password');
    expect(stale.status).toBe(403);
    expect(await stale.json()).toEqual({ error: 'step_up_required', max_age: 300 });
  });

  it('a route that wants a passkey refuses a fresh password sign-in and names the method; a passkey passes', async () => {
    const { call } = await setup();
    await call('POST', '/login');
    const refused = await call('POST', '/transfer');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'step_up_required',
      max_age: 300,
      methods: ['passkey'],
    });
    await call('POST', '/login?method=passkey');
    expect(await (await call('POST', '/transfer')).json()).toEqual({ sent: true });
  });

  it('without a session it is a sign-in (401), not a step-up', async () => {
    const { call } = await setup();
    const anonymous = await call('POST', '/password');
    expect(anonymous.status).toBe(401);
  });
});

describe('a guard in the wrong place', () => {
  async function misplaced(before?: express.RequestHandler) {
    const app = express();
    if (before) app.use(before);
    let caught: unknown;
    app.get('/account', requireSession(), (_req, res) => void res.send('in'));
    app.use(((error, _req, res, _next) => {
      caught = error;
      res.status(500).end();
    }) as express.ErrorRequestHandler);
    const base = await listen(app);
    const response = await fetch(`${base}/account`);
    return { status: response.status, message: (caught as Error | undefined)?.message };
  }

  it('before latchkeyMiddleware, the error says to register the middleware first', async () => {
    const { status, message } = await misplaced();
    expect(status).toBe(500);
    expect(message).toContain('app.use(latchkeyMiddleware(engine))');
  });

  it("on the expressSession() drop-in, the error says how that mode's routes are guarded", async () => {
    const drop = expressSession({
      latchkey: {
        policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
        store: new MemoryStore(),
        cookie: { development: true, warn: () => {} },
      },
    });
    const { message } = await misplaced(drop);
    expect(message).toContain("the expressSession() drop-in's");
    expect(message).toContain('req.isAuthenticated()');
  });
});
