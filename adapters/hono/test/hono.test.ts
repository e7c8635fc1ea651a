// @latchkey/hono specifics beyond the scenario suite (test/scenarios): typing and narrowing, either
// engine, immutable responses, commit failures and conflicts, guard options and misuse.
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  presets,
  type RequestSession,
  type SessionStore,
  type SignedInSession,
} from '@latchkey/core';
import { createSealedSessions } from '@latchkey/core/sealed';
import { ManualClock } from '@latchkey/core/testing';
import { latchkey, latchkeyErrorHandler, requireFreshAuth, requireSession } from '../src/index.js';

declare module '@latchkey/core' {
  interface SessionData {
    /** Declared by the app once; the Hono context sees it typed. */
    themeForHonoTypeTest?: 'light' | 'dark';
  }
}

/** A memory store whose writes can be made to fail while reads still work. */
function writeFailingStore(clock: ManualClock): SessionStore & { failWrites: boolean } {
  const inner = new MemoryStore({ clock });
  const store = {
    name: 'write-failing',
    failWrites: false,
    get: (key: string) => inner.get(key),
    set: async (key: string, value: string, ttl: number) => {
      if (store.failWrites) throw new Error('read-only replica');
      return inner.set(key, value, ttl);
    },
    delete: (key: string) => inner.delete(key),
  };
  return store;
}

function setup() {
  const clock = new ManualClock();
  const store = writeFailingStore(clock);
  const engine = createLatchkey({
    policy: { idleTimeout: '10m', absoluteTimeout: '1h', freshAuthAge: '5m' },
    store,
    clock,
    cookie: { development: true, warn: () => {} },
  });
  const app = new Hono();
  app.use(latchkey(engine));
  app.post('/login', async (c) => {
    await c.var.session.login('ada');
    return c.text('ok');
  });
  // A response with immutable headers, as `Response.redirect` and a proxied `fetch()` give.
  app.post('/login-redirect', async (c) => {
    await c.get('session').login('ada');
    return Response.redirect('http://localhost/home', 302);
  });
  app.post('/note', requireSession(), (c) => {
    c.var.session.current!.set('note', 'hi');
    return c.text('saved');
  });
  app.get('/very-sensitive', requireFreshAuth(60_000), (c) => c.text('ok'));
  app.post('/passkey-step-up', requireSession(), async (c) => {
    // Stands for a verified WebAuthn assertion (@latchkey/core/webauthn does the real one).
    await c.var.session.reauthenticate({ method: 'passkey', userVerified: true });
    return c.text('ok');
  });
  app.get(
    '/passkey-only',
    requireFreshAuth({ methods: ['passkey'], maxAge: '2m', userVerification: 'required' }),
    (c) => c.text('ok'),
  );
  return { app, clock, store };
}

const cookieOf = (response: Response) => response.headers.getSetCookie()[0]!.split(';')[0]!;

describe('@latchkey/hono', () => {
  it('puts the request session on c.var.session, typed without generics (tsc checks the types)', async () => {
    const { app } = setup();
    let seen: RequestSession | undefined;
    app.get('/which', (c) => {
      expectTypeOf(c.get('session')).toEqualTypeOf<RequestSession>();
      expectTypeOf(c.var.session).toEqualTypeOf<RequestSession>();
      seen = c.var.session;
      return c.text(c.get('session') === c.var.session ? 'same' : 'different');
    });
    expect(await (await app.request('/which')).text()).toBe('same');
    expect(typeof seen?.load).toBe('function');
    expect(seen?.request.url).toBe('http://localhost/which');
  });

  it('sets the cookie on a response whose headers are immutable', async () => {
    const { app } = setup();
    const response = await app.request('/login-redirect', { method: 'POST' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://localhost/home');
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(cookieOf(response)).toMatch(/^session=[A-Za-z0-9_-]{43}$/);
  });

  it('latchkeyErrorHandler() answers a store failure thrown in a handler with a quiet 503; other errors as Hono does', async () => {
    const { app, store } = setup();
    app.get('/load', async (c) => {
      await c.var.session.regenerate(); // writes at once: throws the store's failure into Hono
      return c.text('never');
    });
    app.get('/teapot', () => {
      throw new HTTPException(418, { message: 'short and stout' });
    });
    app.get('/bug', () => {
      throw new Error('a bug');
    });
    const cookie = cookieOf(await app.request('/login', { method: 'POST' }));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      store.failWrites = true;
      const ask = (path: string) =>
        app.request(path, { headers: { cookie, accept: 'application/json' } });
      // Without it, Hono's default handler logs a stack for every such request first.
      expect((await ask('/load')).status).toBe(503);
      expect(logged).toHaveBeenCalledTimes(1);
      logged.mockClear();
      app.onError(latchkeyErrorHandler());
      const quiet = await ask('/load');
      expect([quiet.status, await quiet.json()]).toEqual([
        503,
        { error: 'session_store_unavailable' },
      ]);
      expect(logged).not.toHaveBeenCalled();
      store.failWrites = false;
      const teapot = await ask('/teapot');
      expect([teapot.status, await teapot.text()]).toEqual([418, 'short and stout']);
      expect((await ask('/bug')).status).toBe(500);
      expect(logged).toHaveBeenCalledTimes(1);
      app.onError(latchkeyErrorHandler((_error, c) => c.json({ error: 'internal_error' }, 500)));
      expect(await (await ask('/bug')).json()).toEqual({ error: 'internal_error' });
    } finally {
      logged.mockRestore();
    }
  });

  it("answers 503 instead of the handler's response when the commit cannot be written", async () => {
    const { app, store } = setup();
    const cookie = cookieOf(await app.request('/login', { method: 'POST' }));
    store.failWrites = true;
    const response = await app.request('/note', {
      method: 'POST',
      headers: { cookie, accept: 'application/json' },
    });
    expect(response.status).toBe(503); // not "saved": the note was not saved
    expect(await response.json()).toEqual({ error: 'session_store_unavailable' });
  });

  it("requireFreshAuth takes an explicit maximum age over the policy's", async () => {
    const { app, clock } = setup();
    const cookie = cookieOf(await app.request('/login', { method: 'POST' }));
    expect((await app.request('/very-sensitive', { headers: { cookie } })).status).toBe(200);
    clock.advance('61s'); // within the policy's 5 minutes, past this route's 1 minute
    const response = await app.request('/very-sensitive', { headers: { cookie } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'step_up_required', max_age: 60 });
  });

  it('requireFreshAuth with methods: a password sign-in is refused with the methods in the 403; a passkey step-up passes', async () => {
    const { app, clock } = setup();
    let cookie = cookieOf(await app.request('/login', { method: 'POST' }));
    const refused = await app.request('/passkey-only', {
      headers: { cookie, accept: 'application/json' },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'step_up_required',
      max_age: 120,
      methods: ['passkey'],
      user_verification: 'required',
    });
    const page = await app.request('/passkey-only', {
      headers: { cookie, accept: 'text/html', 'sec-fetch-mode': 'navigate' },
    });
    expect(await page.text()).toMatch(/passkey/);
    cookie = cookieOf(
      await app.request('/passkey-step-up', { method: 'POST', headers: { cookie } }),
    );
    expect((await app.request('/passkey-only', { headers: { cookie } })).status).toBe(200);
    clock.advance('121s');
    expect((await app.request('/passkey-only', { headers: { cookie } })).status).toBe(403);
  });

  it('requireFreshAuth answers a missing session with the expiry response, not a step-up', async () => {
    const { app } = setup();
    const response = await app.request('/very-sensitive', {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(401);
  });

  it('requireFreshAuth asks an anonymous session (start()) to sign in (401), not to step up (403)', async () => {
    const { app } = setup();
    app.post('/visit', async (c) => {
      await c.var.session.start();
      return c.text('anonymous');
    });
    const visit = await app.request('/visit', { method: 'POST' });
    const cookie = visit.headers.get('set-cookie')!.split(';')[0]!;
    const response = await app.request('/very-sensitive', {
      headers: { accept: 'application/json', cookie },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'session_expired' });
  });

  it('requireSession() narrows: the handler reads a signed-in session and user ID without `!` (tsc checks the types)', async () => {
    const { app } = setup();
    app.post('/start', async (c) => {
      await c.var.session.start({ themeForHonoTypeTest: 'dark' });
      return c.text('anonymous');
    });
    app.get('/whoami', requireSession(), (c) => {
      expectTypeOf(c.var.session.current).toEqualTypeOf<SignedInSession>();
      expectTypeOf(c.var.session.current.userId).toEqualTypeOf<string>();
      expectTypeOf(c.get('session').current.userId).toEqualTypeOf<string>();
      expectTypeOf(c.var.session.current.get('themeForHonoTypeTest')).toEqualTypeOf<
        'light' | 'dark' | undefined
      >();
      return c.text(c.var.session.current.userId.toUpperCase());
    });
    const cookie = cookieOf(await app.request('/login', { method: 'POST' }));
    expect(await (await app.request('/whoami', { headers: { cookie } })).text()).toBe('ADA');
    // Signed in means a user: an anonymous session (a cart, a theme) does not pass the guard.
    const anonymous = cookieOf(await app.request('/start', { method: 'POST' }));
    const refused = await app.request('/whoami', {
      headers: { cookie: anonymous, accept: 'application/json' },
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'session_expired', reason: 'unauthenticated' });
  });

  it('a guard without the middleware fails with an error naming app.use(latchkey(engine))', async () => {
    const app = new Hono();
    let message = '';
    app.onError((error, c) => ((message = error.message), c.text('misconfigured', 500)));
    app.get('/inbox', requireSession(), (c) => c.text('never'));
    app.get('/password', requireFreshAuth(), (c) => c.text('never'));
    await app.request('/inbox');
    expect(message).toMatch(/^requireSession\(\): .*app\.use\(latchkey\(engine\)\)/);
    await app.request('/password');
    expect(message).toMatch(/^requireFreshAuth\(\): .*app\.use\(latchkey\(engine\)\)/);
  });

  it('refuses a preset where the engine belongs when the app is built, not on the first request', () => {
    expect(() => latchkey(presets.productivity as never)).toThrow(TypeError);
    expect(() => latchkey(presets.productivity as never)).toThrow(
      /^latchkey\(\): expected a session engine, got a policy .*createLatchkey\(\{ policy: presets\.productivity, store \}\)/,
    );
    expect(() => latchkey(undefined as never)).toThrow(/got undefined/);
  });

  it('runs sealed sessions: login, the guard, data and logout through the cookie alone', async () => {
    const clock = new ManualClock();
    const sealed = createSealedSessions({
      policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
      secrets: ['k'.repeat(32)],
      clock,
      cookie: { development: true, warn: () => {} },
    });
    const app = new Hono();
    app.use(latchkey(sealed));
    app.post('/login', async (c) => {
      (await c.var.session.login('grace')).set('themeForHonoTypeTest', 'light');
      return c.text('in');
    });
    app.get('/me', requireSession(), (c) =>
      c.json({
        user: c.var.session.current.userId,
        theme: c.var.session.current.get('themeForHonoTypeTest'),
      }),
    );
    app.post('/logout', async (c) => (await c.var.session.logout(), c.text('out')));
    const login = await app.request('/login', { method: 'POST' });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(await (await app.request('/me', { headers: { cookie } })).json()).toEqual({
      user: 'grace',
      theme: 'light',
    });
    const logout = await app.request('/logout', { method: 'POST', headers: { cookie } });
    expect(logout.headers.get('cache-control')).toBe('no-store');
    expect(logout.headers.getSetCookie().some((c) => /Max-Age=0/.test(c))).toBe(true);
    clock.advance('11m');
    expect(
      (await app.request('/me', { headers: { cookie, accept: 'application/json' } })).status,
    ).toBe(401);
  });

  it('answers a write that keeps losing its race with 409 and Retry-After over HTTP, never 500', async () => {
    const clock = new ManualClock();
    // A real MemoryStore whose compareAndSet always answers false: an honest way to lose every race, as
    // if another request always wrote first. Plain writes (login) still land.
    const inner = new MemoryStore({ clock });
    const store: SessionStore = {
      name: 'always-losing',
      userIndex: inner.userIndex,
      get: (key) => inner.get(key),
      set: (key, value, ttl) => inner.set(key, value, ttl),
      delete: (key) => inner.delete(key),
      compareAndSet: async () => false,
    };
    const engine = createLatchkey({
      policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
      store,
      clock,
      cookie: { development: true, warn: () => {} },
    });
    const app = new Hono();
    app.use(latchkey(engine));
    app.post('/login', async (c) => (await c.var.session.login('ada'), c.text('in')));
    app.post('/note', requireSession(), (c) => {
      c.var.session.current.set('note', 'hi');
      return c.text('saved');
    });
    // @hono/node-server with its default global Response override, as apps run it.
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const cookie = cookieOf(await fetch(`${base}/login`, { method: 'POST' }));
      const note = await fetch(`${base}/note`, {
        method: 'POST',
        headers: { cookie, accept: 'application/json' },
      });
      expect(note.status).toBe(409); // not "saved": the note was not saved
      expect(note.headers.get('retry-after')).toBe('1');
      expect(await note.json()).toEqual({ error: 'session_conflict' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('over HTTP, a plain fetch() gets the JSON 401 and a browser navigation the 303; mode forces either', async () => {
    const { app, clock } = setup();
    app.get('/inbox', requireSession(), (c) => c.text('mail'));
    app.get('/api/inbox', requireSession({ mode: 'json' }), (c) => c.text('mail'));
    app.post('/sensitive', requireFreshAuth(60_000), (c) => c.text('ok'));
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const script = await fetch(`${base}/inbox`); // Accept: */*, as fetch() sends by default
      expect(script.status).toBe(401);
      expect(script.headers.get('www-authenticate')).toMatch(/^Cookie realm="session"/);
      expect(await script.json()).toEqual({ error: 'session_expired', reason: 'unauthenticated' });
      const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
      const navigation = await fetch(`${base}/inbox`, { headers: page, redirect: 'manual' });
      expect(navigation.status).toBe(303);
      expect(navigation.headers.get('location')).toBe('/login?returnTo=%2Finbox');
      const forced = await fetch(`${base}/api/inbox`, { headers: page, redirect: 'manual' });
      expect(forced.status).toBe(401);
      // A step-up asked for by a page gets a readable text, not JSON.
      const cookie = cookieOf(await fetch(`${base}/login`, { method: 'POST' }));
      clock.advance('61s');
      const stale = await fetch(`${base}/sensitive`, {
        method: 'POST',
        headers: { cookie, ...page },
      });
      expect([stale.status, stale.headers.get('content-type')]).toEqual([
        403,
        'text/plain; charset=utf-8',
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
