// @latchkey/hono specifics beyond the scenario suite (test/scenarios): typing, immutable responses, commit failures, guard options.
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  type RequestSession,
  type SessionStore,
} from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { latchkey, requireFreshAuth, requireSession } from '../src/index.js';

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
    expect(await response.json()).toEqual({ error: 'step_up_required' });
  });

  it('requireFreshAuth answers a missing session with the expiry response, not a step-up', async () => {
    const { app } = setup();
    const response = await app.request('/very-sensitive', {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(401);
  });
});
