// withSessions, the universal fetch wrapper: laziness, device facts, failure rules.
import { describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore, withSessions, type SessionStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';

function counted() {
  const clock = new ManualClock();
  const inner = new MemoryStore({ clock });
  const calls: string[] = [];
  const state = { down: false };
  const store: SessionStore = {
    name: 'counted',
    userIndex: inner.userIndex,
    async get(key) {
      calls.push('get');
      if (state.down) throw new Error('ECONNREFUSED');
      return inner.get(key);
    },
    async set(key, value, ttl) {
      calls.push('set');
      if (state.down) throw new Error('ECONNREFUSED');
      return inner.set(key, value, ttl);
    },
    async delete(key) {
      calls.push('delete');
      return inner.delete(key);
    },
  };
  const latchkey = createLatchkey({
    policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
    store,
    clock,
    cookie: { development: true, warn: () => {} },
  });
  return { latchkey, calls, state };
}

describe('withSessions', () => {
  it('costs nothing for a handler that never loads the session, even with a session cookie', async () => {
    const { latchkey, calls } = counted();
    const login = withSessions(
      latchkey,
      async ({ session }) => (await session.login('ada'), new Response('in')),
    );
    const cookie = (await login(new Request('http://app.test/login'))).headers
      .getSetCookie()[0]!
      .split(';')[0]!;
    calls.length = 0;
    const handler = withSessions(latchkey, () => new Response('static'));
    const response = await handler(new Request('http://app.test/', { headers: { cookie } }));
    expect(await response.text()).toBe('static');
    expect(calls).toEqual([]);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('records the device facts the option derives from the request, and no forwarded IP by default', async () => {
    const { latchkey } = counted();
    const headers = { 'x-forwarded-for': '198.51.100.7', 'x-real-ip': '198.51.100.8' };
    const login = (options?: Parameters<typeof withSessions>[2]) =>
      withSessions(
        latchkey,
        async ({ session }) => Response.json((await session.login('ada')).handle),
        options,
      )(new Request('http://app.test/', { headers }));
    const plain = await (await login()).json();
    const trusted = await (
      await login({ device: (r) => ({ ip: r.headers.get('x-real-ip') ?? undefined }) })
    ).json();
    const devices = new Map(
      (await latchkey.listSessions('ada')).map((s) => [s.handle, s.device.ip]),
    );
    expect(devices.get(plain)).toBeUndefined();
    expect(devices.get(trusted)).toBe('198.51.100.8');
  });

  it('answers a store failure with 503, whether it happens in the handler or at commit', async () => {
    const { latchkey, state } = counted();
    state.down = true;
    const handler = withSessions(latchkey, async ({ session }) => {
      const outcome = await session.load();
      return new Response(outcome.valid ? 'in' : 'out');
    });
    const cookie = 'session=' + 'A'.repeat(43);
    const loaded = await handler(
      new Request('http://app.test/', { headers: { cookie, accept: 'application/json' } }),
    );
    expect(loaded.status).toBe(503);
    state.down = false;
    const login = withSessions(
      latchkey,
      async ({ session }) => (await session.login('ada'), new Response('in')),
    );
    const valid = (await login(new Request('http://app.test/login'))).headers
      .getSetCookie()[0]!
      .split(';')[0]!;
    const atCommit = await withSessions(latchkey, async ({ session }) => {
      const outcome = await session.load();
      if (outcome.valid) outcome.session.set('cart', 1);
      state.down = true; // the store goes away before the change is written
      return new Response('saved');
    })(new Request('http://app.test/', { headers: { cookie: valid } }));
    expect(atCommit.status).toBe(503);
  });

  it('lets other errors through: an application bug is not a store outage', async () => {
    const { latchkey } = counted();
    const handler = withSessions(latchkey, () => {
      throw new RangeError('bug');
    });
    await expect(handler(new Request('http://app.test/'))).rejects.toThrow(RangeError);
  });
});
