/**
 * A store write that fails after the handler ran: the response says so (503,
 * not the handler's 200), and the next request sees the old state or the
 * new, never a mix of the two keys the handler set.
 */

import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createLatchkey, MemoryStore, presets, type SessionStore } from '@latchkey/core';
import { latchkey, requireSession } from '@latchkey/hono';

const ORIGIN = 'http://app.test';

function app() {
  const memory = new MemoryStore();
  const fail = { writes: false };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      fail.writes ? Promise.reject(new Error('connection reset')) : fn(...args);
  const store: SessionStore = {
    name: 'memory, writes failing on demand',
    get: (k) => memory.get(k),
    set: guard((k: string, v: string, t: number) => memory.set(k, v, t)),
    delete: guard((k: string) => memory.delete(k)),
    consume: guard((k: string) => memory.consume(k)),
    compareAndSet: guard((k: string, e: string | null, v: string, t: number) =>
      memory.compareAndSet(k, e, v, t),
    ),
    userIndex: memory.userIndex,
  };
  const engine = createLatchkey({
    policy: presets.productivity,
    store,
    cookie: { name: 'sid', development: true, warn: () => {} },
  });
  const hono = new Hono();
  hono.onError((_, c) => c.text('unexpected', 500));
  hono.use(latchkey(engine));
  hono.post('/login', async (c) => {
    await c.var.session.login('ada');
    return c.text('in');
  });
  hono.post('/move', requireSession(), (c) => {
    // Two keys that only make sense together: money leaves one account and reaches the other.
    const s = c.var.session.current;
    s.set('from', Number(s.get('from') ?? 100) - 10);
    s.set('to', Number(s.get('to') ?? 0) + 10);
    return c.text('moved');
  });
  hono.get('/balance', requireSession(), (c) =>
    c.json({
      from: c.var.session.current.get('from') ?? 100,
      to: c.var.session.current.get('to') ?? 0,
    }),
  );
  return { fetch: (req: Request) => hono.fetch(req), fail };
}

describe('a write failing after the handler ran', () => {
  it('answers 503 instead of the handler’s 200, and leaves the old state whole', async () => {
    const { fetch, fail } = app();
    const login = await fetch(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const call = (method: string, path: string) =>
      fetch(
        new Request(`${ORIGIN}${path}`, {
          method,
          headers: { cookie, accept: 'application/json' },
        }),
      );
    expect((await call('POST', '/move')).status).toBe(200);
    expect(await (await call('GET', '/balance')).json()).toEqual({ from: 90, to: 10 });

    fail.writes = true;
    const failed = await call('POST', '/move');
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ error: 'session_store_unavailable' });
    expect(failed.headers.getSetCookie().filter((c) => /max-age=0/i.test(c))).toEqual([]);
    fail.writes = false;

    expect(await (await call('GET', '/balance')).json()).toEqual({ from: 90, to: 10 }); // old, whole
    expect((await call('POST', '/move')).status).toBe(200);
    expect(await (await call('GET', '/balance')).json()).toEqual({ from: 80, to: 20 }); // new, whole
  });
});
