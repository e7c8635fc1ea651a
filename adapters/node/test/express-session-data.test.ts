// express-session's data API on the expressSession() drop-in: properties read and written
// synchronously, saved key by key when the response ends, and its regenerate, save, destroy,
// reload and touch, each answering through its callback.
import express from 'express';
import { describe, expect, it } from 'vitest';
import { expressSession } from '../src/index.js';
import {
  browser,
  dropIn,
  sessionID,
  failingStore,
  listen,
  sessionCookieOf,
} from './drop-in-harness.js';

function app(options: { rolling?: boolean; maxAge?: number; saveUninitialized?: boolean } = {}) {
  const { clock, store, fail } = failingStore();
  const sessions = expressSession({
    latchkey: { policy: { idleTimeout: '10m', absoluteTimeout: '1h' }, store, clock },
    rolling: options.rolling,
    saveUninitialized: options.saveUninitialized,
    cookie: { maxAge: options.maxAge },
  });
  const app = express();
  app.use(sessions);
  app.get('/views', (req, res) => {
    const session = dropIn(req);
    session.views = (session.views ?? 0) + 1;
    res.json({ views: session.views });
  });
  app.get('/data', (req, res) => void res.json({ ...dropIn(req) }));
  app.get(
    '/handle',
    (req, res) => void res.json({ id: dropIn(req).id ?? null, sessionID: sessionID(req) }),
  );
  return { app, clock, fail, sessions };
}

describe('express-session-style data on expressSession()', () => {
  it('a counter persists across requests, and only the first response sets the cookie', async () => {
    const { app: server } = app();
    const visitor = browser(await listen(server));
    const first = await visitor.fetch('/views');
    expect(await first.json()).toEqual({ views: 1 });
    expect(sessionCookieOf(first)).toBeDefined();
    for (const views of [2, 3]) {
      const next = await visitor.fetch('/views');
      expect(await next.json()).toEqual({ views });
      expect(sessionCookieOf(next)).toBeUndefined();
    }
  });

  it('nested changes are saved too (passport writes req.session.passport.user in place)', async () => {
    const { app: server } = app();
    server.get('/nested', (req, res) => {
      const session = dropIn(req);
      session.cart ??= { items: [] };
      session.cart.items.push(String(req.query.item));
      res.json(session.cart);
    });
    const visitor = browser(await listen(server));
    await visitor.fetch('/nested?item=tea');
    expect(await (await visitor.fetch('/nested?item=jam')).json()).toEqual({
      items: ['tea', 'jam'],
    });
  });

  it('a visitor who sets nothing gets no session; saveUninitialized: true gives every visitor one', async () => {
    const off = app();
    const plain = await fetch(`${await listen(off.app)}/data`);
    expect(plain.headers.getSetCookie()).toEqual([]);
    const on = app({ saveUninitialized: true });
    const stored = await fetch(`${await listen(on.app)}/data`);
    expect(sessionCookieOf(stored)).toBeDefined();
  });

  it('two concurrent requests setting different keys both keep them', async () => {
    const { app: server } = app();
    // Both requests load the session before either writes: the race express-session's resave loses.
    let arrived = 0;
    let release!: () => void;
    const bothLoaded = new Promise<void>((resolve) => (release = resolve));
    server.get('/set', async (req, res) => {
      if (++arrived === 2) release();
      await bothLoaded;
      dropIn(req)[String(req.query.key)] = String(req.query.value);
      res.json({ ok: true });
    });
    const visitor = browser(await listen(server));
    await visitor.fetch('/views');
    await Promise.all([
      visitor.fetch('/set?key=theme&value=dark'),
      visitor.fetch('/set?key=lang&value=fr'),
    ]);
    expect(await (await visitor.fetch('/data')).json()).toEqual({
      views: 1,
      theme: 'dark',
      lang: 'fr',
    });
  });

  it('req.session.id and req.sessionID are the public handle, never the cookie’s secret ID', async () => {
    const { app: server, sessions } = app();
    const visitor = browser(await listen(server));
    expect(await (await visitor.fetch('/handle')).json()).toEqual({ id: null, sessionID: null });
    await visitor.fetch('/views');
    const { id, sessionID: alias } = await (await visitor.fetch('/handle')).json();
    expect(alias).toBe(id);
    expect(visitor.cookie).not.toContain(id);
    // The handle is what the engine revokes by.
    expect(await sessions.latchkey.revokeSession(id)).toBe(true);
    expect(await (await visitor.fetch('/data')).json()).toEqual({});
  });

  it('req.session.cookie describes the cookie and cannot be changed', async () => {
    const { app: server } = app({ maxAge: 5 * 60_000 });
    server.get('/cookie', (req, res) => {
      const session = dropIn(req);
      const before = session.cookie.maxAge;
      expect(() => {
        (session as Record<string, unknown>).cookie = { maxAge: 1 };
      }).toThrow(TypeError);
      res.json({ ...session.cookie, before });
    });
    const visitor = browser(await listen(server));
    await visitor.fetch('/views');
    const cookie = await (await visitor.fetch('/cookie')).json();
    expect(cookie).toMatchObject({
      maxAge: 300_000,
      originalMaxAge: 300_000,
      before: 300_000,
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
    });
    expect(Date.parse(cookie.expires)).toBe(Date.UTC(2026, 0, 1) + 300_000);
  });
});

describe("express-session's methods on expressSession()", () => {
  it('regenerate(cb) ends the old session and gives an empty one under a new ID', async () => {
    const { app: server } = app();
    server.post('/regenerate', (req, res, next) => {
      dropIn(req).regenerate((error) => {
        if (error) return next(error);
        dropIn(req).fresh = true;
        res.json({ ...dropIn(req) });
      });
    });
    const base = await listen(server);
    const visitor = browser(base);
    await visitor.fetch('/views');
    const old = visitor.cookie!;
    expect(await (await visitor.fetch('/regenerate', { method: 'POST' })).json()).toEqual({
      fresh: true,
    });
    expect(visitor.cookie).not.toBe(old);
    expect(await (await visitor.fetch('/data')).json()).toEqual({ fresh: true });
    expect(await (await fetch(`${base}/data`, { headers: { cookie: old } })).json()).toEqual({});
  });

  it('save(cb) writes to the store before calling back', async () => {
    const { app: server } = app();
    const base = await listen(server);
    server.post('/save', (req, res, next) => {
      dropIn(req).note = 'saved';
      dropIn(req).save(async (error) => {
        if (error) return next(error);
        // A second request, sent before this response ends, already reads the saved data.
        const cookie = String(res.getHeader('set-cookie')).split(';')[0]!;
        res.json(await (await fetch(`${base}/data`, { headers: { cookie } })).json());
      });
    });
    expect(await (await fetch(`${base}/save`, { method: 'POST' })).json()).toEqual({
      note: 'saved',
    });
  });

  it('destroy(cb) ends the session server-side, clears the cookie and removes req.session', async () => {
    const { app: server } = app();
    server.post('/destroy', (req, res, next) => {
      dropIn(req).destroy((error) =>
        error ? next(error) : res.json({ session: req.session ?? null }),
      );
    });
    const base = await listen(server);
    const visitor = browser(base);
    await visitor.fetch('/views');
    const old = visitor.cookie!;
    const destroyed = await visitor.fetch('/destroy', { method: 'POST' });
    expect(await destroyed.json()).toEqual({ session: null });
    expect(destroyed.headers.getSetCookie().some((line) => /Max-Age=0/.test(line))).toBe(true);
    expect(await (await fetch(`${base}/data`, { headers: { cookie: old } })).json()).toEqual({});
  });

  it('reload(cb) drops unsaved changes and reads what the store holds now', async () => {
    const { app: server } = app();
    const base = await listen(server);
    server.get('/reload', async (req, res, next) => {
      dropIn(req).views = 999; // unsaved, dropped by reload
      // Another request writes meanwhile; reload sees it.
      await fetch(`${base}/views`, { headers: { cookie: String(req.headers.cookie) } });
      dropIn(req).reload((error) => (error ? next(error) : res.json({ ...dropIn(req) })));
    });
    const visitor = browser(base);
    await visitor.fetch('/views');
    expect(await (await visitor.fetch('/reload')).json()).toEqual({ views: 2 });
    expect(await (await visitor.fetch('/data')).json()).toEqual({ views: 2 });
  });

  it('touch() sends the cookie again, so cookie.maxAge counts from now; rolling does it on every response', async () => {
    const { app: server, clock } = app({ maxAge: 5 * 60_000 });
    server.get('/touch', (req, res) => {
      dropIn(req).touch();
      res.json({ ok: true });
    });
    const visitor = browser(await listen(server));
    const first = await visitor.fetch('/views');
    expect(first.headers.getSetCookie()[0]).toMatch(/Max-Age=300;/);
    clock.advance('2m');
    expect(sessionCookieOf(await visitor.fetch('/views'))).toBeUndefined();
    const touched = await visitor.fetch('/touch');
    expect(touched.headers.getSetCookie()[0]).toMatch(/Max-Age=300;/);
    expect(touched.headers.get('cache-control')).toBe('no-store');

    const rolling = app({ maxAge: 5 * 60_000, rolling: true });
    const roller = browser(await listen(rolling.app));
    await roller.fetch('/views');
    rolling.clock.advance('4m');
    const again = await roller.fetch('/views');
    expect(again.headers.getSetCookie()[0]).toMatch(/Max-Age=300;/);
    expect(await again.json()).toEqual({ views: 2 });
  });

  it('rolling never re-sends a cookie that a renewal replaced (a parallel tab would undo the renewal)', async () => {
    const { app: server, clock } = app({ rolling: true });
    const base = await listen(server);
    const visitor = browser(base);
    await visitor.fetch('/views');
    const old = visitor.cookie!;
    clock.advance('8m');
    expect(sessionCookieOf(await visitor.fetch('/data'))).toBe(old); // rolling: the same cookie again
    clock.advance('8m'); // past the renewal interval (a quarter of the 1-hour absolute timeout)
    await visitor.fetch('/data'); // renewed: a new cookie
    expect(visitor.cookie).not.toBe(old);
    // A request still carrying the old cookie, inside the renewal grace, is served but not re-sent it.
    const parallel = await fetch(`${base}/data`, { headers: { cookie: old } });
    expect(await parallel.json()).toEqual({ views: 1 });
    expect(sessionCookieOf(parallel)).toBeUndefined();
  });

  it('a store that fails while loading answers 503 before the route runs (fail closed)', async () => {
    const { app: server, fail } = app();
    const visitor = browser(await listen(server));
    await visitor.fetch('/views');
    fail.reads = true;
    const down = await visitor.fetch('/views');
    expect(down.status).toBe(503);
    fail.reads = false;
    expect(await (await visitor.fetch('/views')).json()).toEqual({ views: 2 });
  });

  it('each callback gets the store failure as an error, never an unhandled rejection', async () => {
    const { app: server, fail } = app();
    const errors: Record<string, string> = {};
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    for (const method of ['regenerate', 'save', 'destroy', 'reload'] as const) {
      server.post(`/${method}`, (req, res) => {
        dropIn(req).changed = method;
        if (method === 'reload') fail.reads = true;
        else fail.writes = true;
        dropIn(req)[method]((error?: unknown) => {
          errors[method] = error instanceof Error ? error.message : String(error);
          fail.reads = fail.writes = false;
          res.json({ called: true });
        });
      });
    }
    const visitor = browser(await listen(server));
    try {
      for (const method of ['regenerate', 'save', 'destroy', 'reload']) {
        await visitor.fetch('/views');
        await visitor.fetch(`/${method}`, { method: 'POST' });
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(errors).toEqual({
      regenerate: expect.stringMatching(/store .* failed: .*store down/),
      save: expect.stringMatching(/store .* failed: .*store down/),
      destroy: expect.stringMatching(/store .* failed: .*store down/),
      reload: expect.stringMatching(/store .* failed: .*store down/),
    });
    expect(rejections).toEqual([]);
  });
});
