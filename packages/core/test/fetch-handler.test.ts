// withSessions, the universal fetch wrapper: laziness, device facts, either engine, failure rules.
import { describe, expect, it } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  presets,
  withSessions,
  type SessionStore,
} from '@latchkey/core';
import { createSealedSessions } from '@latchkey/core/sealed';
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

  it('does not bind a session to its IP or User-Agent: a change is recorded at login, never a reason to refuse', async () => {
    const { latchkey } = counted();
    const device = (r: Request) => ({ ip: r.headers.get('x-real-ip') ?? undefined });
    const app = withSessions(
      latchkey,
      async ({ request, session }) =>
        new URL(request.url).pathname === '/login'
          ? Response.json((await session.login('ada')).handle)
          : new Response((await session.load()).valid ? 'in' : 'out'),
      { device },
    );
    const at = (path: string, headers: Record<string, string>) =>
      app(
        new Request(`http://app.test${path}`, {
          method: path === '/login' ? 'POST' : 'GET',
          headers,
        }),
      );
    const home = { 'user-agent': 'Firefox/150 (Linux)', 'x-real-ip': '198.51.100.7' };
    const login = await at('/login', home);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const handle = await login.json();
    // The same cookie from a new network and an updated browser: still the user (OWASP: a signal, not a check).
    const moved = { cookie, 'user-agent': 'Firefox/151 (Linux)', 'x-real-ip': '203.0.113.9' };
    expect(await (await at('/', moved)).text()).toBe('in');
    const [listed] = await latchkey.listSessions('ada', handle);
    expect(listed?.device).toMatchObject({ userAgent: 'Firefox/150 (Linux)', ip: '198.51.100.7' });
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

  it('records the facts the runtime passes as the second argument, and a device option wins over them', async () => {
    const { latchkey } = counted();
    const login = withSessions(latchkey, async ({ session }) =>
      Response.json((await session.login('ada')).handle),
    );
    const fromPeer = await (
      await login(new Request('http://app.test/'), { ip: '192.0.2.1' })
    ).json();
    const behindProxy = withSessions(
      latchkey,
      async ({ session }) => Response.json((await session.login('ada')).handle),
      { device: (r, peer) => ({ ip: r.headers.get('x-real-ip') ?? peer.ip }) },
    );
    const proxied = await (
      await behindProxy(
        new Request('http://app.test/', { headers: { 'x-real-ip': '198.51.100.8' } }),
        {
          ip: '10.0.0.1', // the proxy's own address
        },
      )
    ).json();
    const fallback = await (
      await behindProxy(new Request('http://app.test/'), { ip: '10.0.0.1' })
    ).json();
    // Bun passes its server and workerd its env as the second argument: neither is taken for facts.
    const bunLike = await (
      await login(new Request('http://app.test/'), { requestIP: () => null, port: 3000 } as never)
    ).json();
    const devices = new Map(
      (await latchkey.listSessions('ada')).map((s) => [s.handle, s.device.ip]),
    );
    expect(devices.get(fromPeer)).toBe('192.0.2.1');
    expect(devices.get(proxied)).toBe('198.51.100.8');
    expect(devices.get(fallback)).toBe('10.0.0.1');
    expect(devices.get(bunLike)).toBeUndefined();
  });

  it('runs sealed sessions too: the cookie carries the session to the next request', async () => {
    const clock = new ManualClock();
    const sealed = createSealedSessions<{ theme?: string }>({
      policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
      secrets: ['s'.repeat(32)],
      clock,
      cookie: { development: true, warn: () => {} },
    });
    const app = withSessions(sealed, async ({ request, session }) => {
      if (new URL(request.url).pathname === '/login') {
        // tsc (pnpm typecheck) checks these lines: the sealed engine's data type reaches the handler.
        (await session.login('ada')).set('theme', 'dark');
        // @ts-expect-error a key the engine's data type does not declare as a number
        const wrongType = () => session.current?.set('theme', 42);
        void wrongType;
        return new Response('in');
      }
      const outcome = await session.load();
      return outcome.valid
        ? Response.json({ user: outcome.session.userId, theme: outcome.session.get('theme') })
        : new Response(null, { status: 401 });
    });
    const cookie = (await app(new Request('http://app.test/login'))).headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const me = await app(new Request('http://app.test/me', { headers: { cookie } }));
    expect(await me.json()).toEqual({ user: 'ada', theme: 'dark' });
    clock.advance('11m');
    expect((await app(new Request('http://app.test/me', { headers: { cookie } }))).status).toBe(
      401,
    );
  });

  it('refuses a preset, a policy or nothing where an engine belongs, at once and naming the fix', () => {
    const handler = () => new Response('never');
    for (const wrong of [presets.productivity, {}, undefined, new MemoryStore()])
      expect(() => withSessions(wrong as never, handler)).toThrow(
        /^withSessions\(\): expected a session engine, got .*; build one with createLatchkey\(\{ policy: presets\.productivity, store \}\)/,
      );
    expect(() => withSessions(presets.productivity as never, handler)).toThrow(TypeError);
    expect(() => withSessions(presets.productivity as never, handler)).toThrow(/got a policy/);
  });

  it('with csrf, a cross-site POST is refused before the handler runs and touches no store', async () => {
    const { latchkey, calls } = counted();
    let ran = 0;
    const app = withSessions(
      latchkey,
      async ({ session }) => (ran++, await session.load(), new Response('done')),
      { csrf: true },
    );
    const forged = await app(
      new Request('http://app.test/transfer', {
        method: 'POST',
        headers: { origin: 'http://evil.test', cookie: 'session=x', accept: 'application/json' },
      }),
    );
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'csrf_rejected', reason: 'origin-mismatch' });
    expect([ran, calls]).toEqual([0, []]);
    const own = await app(
      new Request('http://app.test/transfer', {
        method: 'POST',
        headers: { origin: 'http://app.test' },
      }),
    );
    expect([own.status, ran]).toEqual([200, 1]);
  });

  it('checks the csrf options when the app is built, naming the field', () => {
    const { latchkey } = counted();
    expect(() =>
      withSessions(latchkey, () => new Response(''), { csrf: { trustedOrigins: ['*.app.test'] } }),
    ).toThrow(/^csrf\.trustedOrigins: expected an origin/);
  });
});
