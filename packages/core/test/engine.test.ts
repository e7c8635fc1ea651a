import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createLatchkey } from '../src/engine.js';
import { SessionLimitError, StoreCapabilityError, StoreError } from '../src/errors.js';
import { storeUnavailableResponse } from '../src/expiry-response.js';
import { MemoryStore } from '../src/store/memory.js';
import { hashSecret } from '../src/random.js';
import {
  basePolicy,
  COOKIE,
  counting,
  harness,
  NEVER_ISSUED,
  ORIGIN,
  parseSetCookie,
  verdict,
} from './harness.js';

describe('load outcomes', () => {
  it('missing: no Cookie header, or none with our name', async () => {
    const h = harness();
    expect((await h.visit(undefined)).outcome).toEqual({ valid: false, reason: 'missing' });
    expect(
      (await h.visit(undefined, undefined, { header: 'theme=dark; session=abc' })).outcome,
    ).toEqual({ valid: false, reason: 'missing' });
    expect(h.store.calls).toEqual([]);
  });

  it.each([
    ['too short', 'A'.repeat(42)],
    ['too long', 'A'.repeat(44)],
    ['empty', ''],
    ['standard base64 alphabet', `${'A'.repeat(41)}+/`],
    ['padding', `${'A'.repeat(42)}=`],
    ['dot', `${'A'.repeat(42)}.`],
    ['percent-encoded', `${'A'.repeat(40)}%41`],
    ['latin-1', `${'A'.repeat(42)}\u00e9`],
  ])('malformed (%s): never looked up', async (_, value) => {
    const h = harness();
    expect(verdict((await h.visit(value)).outcome)).toBe('malformed');
    expect(h.store.calls).toEqual([]);
  });

  it('unknown: a well-formed ID that was never issued costs one read', async () => {
    const h = harness();
    const v = await h.visit(NEVER_ISSUED);
    expect(v.outcome).toEqual({ valid: false, reason: 'unknown' });
    expect(h.store.calls).toEqual(['get']);
    expect(v.setCookie).toEqual([]);
  });

  it('revoked: by handle, and by revokeUser', async () => {
    const h = harness();
    const one = await h.signedIn('ada');
    const handle = (await one.go()).rs.current!.handle;
    expect(await h.lk.revokeSession(handle)).toBe(true);
    expect(verdict((await one.go()).outcome)).toBe('revoked');
    expect(await h.lk.revokeSession(handle)).toBe(false);

    const two = await h.signedIn('ada');
    expect(await h.lk.revokeUser('ada')).toBe(1);
    const v = await two.go();
    expect(v.outcome).toMatchObject({ valid: false, reason: 'revoked', at: h.clock.now() });
  });

  it('revokeSession refuses anything but a handle, including the secret ID itself', async () => {
    const h = harness();
    const b = await h.signedIn();
    expect(await h.lk.revokeSession(b.id!)).toBe(false);
    expect(await h.lk.revokeSession('../../etc')).toBe(false);
    expect(await h.lk.revokeSession(undefined as unknown as string)).toBe(false);
    expect(verdict((await b.go()).outcome)).toBe('valid');
  });
});

describe('hostile Cookie headers never throw', () => {
  const cases: Array<[string, (id: string) => string, string]> = [
    ['1 MB of pairs', () => 'a=b; '.repeat(200_000), 'missing'],
    [
      'huge value (cut by the 16 KiB bound, so dropped)',
      () => `${COOKIE}=${'A'.repeat(1_000_000)}`,
      'missing',
    ],
    ['value just too long', () => `${COOKIE}=${'A'.repeat(4000)}`, 'malformed'],
    ['binary (latin-1) bytes', () => `${COOKIE}=\u00ff\u0080\u00fe${'A'.repeat(40)}`, 'malformed'],
    ['thousands of pairs before ours', (id) => `${'x=1; '.repeat(5000)}${COOKIE}=${id}`, 'missing'],
    ['duplicate name, malformed first', (id) => `${COOKIE}=nope; ${COOKIE}=${id}`, 'malformed'],
    ['duplicate name, valid first', (id) => `${COOKIE}=${id}; ${COOKIE}=nope`, 'valid'],
    ['only separators', () => ';;;; ;=;==;', 'missing'],
    ['name without value', () => `${COOKIE}`, 'missing'],
    ['our name inside another value', (id) => `other=${COOKIE}=${id}`, 'missing'],
    ['quoted value', (id) => `${COOKIE}="${id}"`, 'valid'],
  ];
  it.each(cases)('%s', async (_, header, expected) => {
    const h = harness();
    const b = await h.signedIn();
    h.store.reset();
    const v = await h.visit(undefined, undefined, { header: header(b.id!) });
    expect(verdict(v.outcome)).toBe(expected);
    if (expected !== 'valid') expect(h.store.calls).toEqual([]);
  });

  it('any header a client can send yields an outcome, never an exception', async () => {
    const h = harness();
    const b = await h.signedIn();
    const latin1 = fc.string({
      unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 300,
    });
    const near = fc.oneof(
      latin1,
      latin1.map((s) => `${COOKIE}=${s}`),
      latin1.map((s) => `${s}; ${COOKIE}=${b.id}`),
    );
    await fc.assert(
      fc.asyncProperty(near, async (header) => {
        const v = await h.visit(undefined, undefined, { header });
        expect(['missing', 'malformed', 'unknown', 'valid']).toContain(verdict(v.outcome));
      }),
      { numRuns: 200 },
    );
  });
});

describe('request cost', () => {
  it('a read inside the touch interval costs exactly one store read and no write', async () => {
    const h = harness(); // touchInterval 1m
    const b = await h.signedIn();
    h.clock.advance('59s');
    h.store.reset();
    const v = await b.go((_, o) => o.valid && o.session.get('anything'));
    expect(verdict(v.outcome)).toBe('valid');
    expect(h.store.calls).toEqual(['get']);
    expect(v.setCookie).toEqual([]);
  });

  it('after the touch interval, one write records the activity', async () => {
    const h = harness();
    const b = await h.signedIn();
    h.clock.advance('1m');
    h.store.reset();
    const v = await b.go();
    expect(h.store.reads()).toBe(1);
    expect(h.store.writes()).toBe(1);
    expect(v.setCookie).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({ type: 'touched', userId: 'ada' });
    // The write slid the idle deadline: 29 more minutes are fine.
    h.clock.advance('29m');
    expect(verdict((await b.go()).outcome)).toBe('valid');
  });

  it('an anonymous request gets no Set-Cookie and costs no store call', async () => {
    const h = harness();
    const v = await h.visit(undefined);
    expect(v.setCookie).toEqual([]);
    expect(v.response.headers.has('cache-control')).toBe(false);
    expect(h.store.calls).toEqual([]);
  });

  it('a route that never loads the session costs no store call, even with a cookie', async () => {
    const h = harness();
    const b = await h.signedIn();
    h.clock.advance('10m'); // a touch would be due if it loaded
    h.store.reset();
    const v = await b.go(undefined, { load: false });
    expect(h.store.calls).toEqual([]);
    expect(v.setCookie).toEqual([]);
  });
});

describe('cookies through the engine', () => {
  it('uses __Host-session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain by default', async () => {
    const h = harness();
    const v = await h.visit(undefined, (rs) => rs.login('ada'));
    expect(v.setCookie).toHaveLength(1);
    const c = parseSetCookie(v.setCookie[0]!);
    expect(c.name).toBe('__Host-session');
    expect(c.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.maxAge).toBe(8 * 3600);
    expect(c.attributes).toEqual(
      expect.arrayContaining(['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']),
    );
    expect(c.attributes.some((a) => /^domain=/i.test(a))).toBe(false);
  });

  it('development mode drops Secure and the prefix, and warns exactly once', async () => {
    const warn = vi.fn();
    const h = harness({ cookie: { development: true, warn } });
    const v = await h.visit(undefined, (rs) => rs.login('ada'));
    const c = parseSetCookie(v.setCookie[0]!);
    expect(c.name).toBe('session');
    expect(c.attributes).not.toContain('Secure');
    const again = await h.visit(undefined, undefined, { header: `session=${c.value}` });
    expect(verdict(again.outcome)).toBe('valid');
    await h.visit(undefined, (rs) => rs.login('bob'));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/not Secure/);
  });

  it('without the development option nothing is silently downgraded', async () => {
    const warn = vi.fn();
    const h = harness({ cookie: { warn } });
    expect(warn).not.toHaveBeenCalled();
    const v = await h.visit(undefined, (rs) => rs.login('ada'));
    expect(v.setCookie[0]).toMatch(/^__Host-session=.*; Secure/);
  });

  it('clamps Max-Age at 400 days when the absolute timeout is longer', async () => {
    const h = harness({
      policy: { idleTimeout: '30d', absoluteTimeout: '500d', renewInterval: false },
    });
    const v = await h.visit(undefined, (rs) => rs.login('ada'));
    expect(parseSetCookie(v.setCookie[0]!).maxAge).toBe(400 * 86_400);
  });
});

describe('store failure fails closed', () => {
  function broken(h: ReturnType<typeof harness>, method: 'get' | 'set' | 'compareAndSet') {
    const real = h.store[method];
    (h.store as unknown as Record<string, unknown>)[method] = () =>
      Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    return () => void ((h.store as unknown as Record<string, unknown>)[method] = real);
  }

  it('a rejecting get: load rejects with StoreError and a store-error event; the session survives the outage', async () => {
    const h = harness();
    const b = await h.signedIn();
    const repair = broken(h, 'get');
    const rs = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    const error = await rs.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('ERR_STORE_UNAVAILABLE');
    expect(h.events.at(-1)).toMatchObject({
      type: 'store-error',
      operation: 'read',
      code: 'ERR_STORE_UNAVAILABLE',
    });
    // Not treated as logged out: committing clears no cookie.
    const res = await rs.commit(new Response('x'));
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(rs.current).toBeNull();
    repair();
    expect(verdict((await b.go()).outcome)).toBe('valid');
  });

  it('a rejecting set: login rejects with StoreError and issues no cookie', async () => {
    const h = harness();
    broken(h, 'set');
    await expect(h.visit(undefined, (rs) => rs.login('ada'))).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
  });

  it('a rejecting write at commit rejects rather than pretending it was saved', async () => {
    const h = harness();
    const b = await h.signedIn();
    broken(h, 'compareAndSet');
    await expect(b.go((_, o) => o.valid && o.session.set('k', 1))).rejects.toBeInstanceOf(
      StoreError,
    );
  });

  it('a value that is not a Latchkey record fails closed as a decode error', async () => {
    const h = harness();
    const b = await h.signedIn();
    const handle = (await b.go()).rs.current!.handle;
    await h.memory.set(`lk:s:${handle}`, '{"t":"session","uid":"root"}', 60_000);
    await expect(b.go()).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
      operation: 'decode',
    });
  });

  it('storeUnavailableResponse is a 503 with Retry-After, JSON or text', async () => {
    const h = harness();
    const json = storeUnavailableResponse(h.request(undefined, { accept: 'application/json' }));
    expect(json.status).toBe(503);
    expect(json.headers.get('retry-after')).toBe('5');
    expect(await json.json()).toEqual({ error: 'session_store_unavailable' });
    const page = storeUnavailableResponse(h.request(undefined, { accept: 'text/html' }));
    expect(page.status).toBe(503);
    expect(page.headers.get('cache-control')).toBe('no-store');
  });
});

describe('concurrency', () => {
  it('two tabs setting different keys both keep their change', async () => {
    const h = harness();
    const b = await h.signedIn();
    const tab1 = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    const tab2 = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    const [o1, o2] = await Promise.all([tab1.load(), tab2.load()]);
    if (!o1.valid || !o2.valid) throw new Error('expected valid');
    o1.session.set('theme', 'dark');
    o2.session.set('lang', 'fr');
    await Promise.all([tab1.commit(new Response()), tab2.commit(new Response())]);
    expect((await b.go()).rs.current?.data).toEqual({ theme: 'dark', lang: 'fr' });
  });

  it('a tab whose session was logged out elsewhere does not resurrect it on commit', async () => {
    const h = harness();
    const b = await h.signedIn();
    const old = b.id!;
    h.clock.advance('5m'); // a touch is due too
    const tab = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const o = await tab.load();
    if (!o.valid) throw new Error('expected valid');
    await b.go((rs) => rs.logout());
    o.session.set('late', true);
    const res = await tab.commit(new Response());
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(verdict((await h.visit(old)).outcome)).toBe('unknown');
    // Logout's one write is a marker that holds nothing of the session and outlasts the race by a second.
    const key = `lk:s:${hashSecret(old)}`;
    expect(JSON.parse((await h.memory.get(key))!)).toEqual({
      t: 'revoked',
      at: h.clock.now(),
      by: 'logout',
    });
    h.clock.advance('2s');
    expect(await h.memory.get(key)).toBeNull();
  });

  it('a tab whose session was revoked elsewhere does not undo the revocation', async () => {
    const h = harness();
    const b = await h.signedIn();
    const old = b.id!;
    h.clock.advance('5m');
    const tab = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const o = await tab.load();
    if (!o.valid) throw new Error('expected valid');
    await h.lk.revokeUser('ada');
    o.session.set('late', true);
    await tab.commit(new Response());
    expect(verdict((await h.visit(old)).outcome)).toBe('revoked');
  });

  it('a write that keeps losing the race is reported, never dropped silently', async () => {
    const h = harness();
    const b = await h.signedIn();
    // Another writer always gets in first: every compare-and-set finds a newer version.
    h.store.compareAndSet = async (key, _expected, _value, ttl) => {
      const current = JSON.parse((await h.memory.get(key))!) as {
        v: number;
        data: Record<string, unknown>;
      };
      await h.memory.set(
        key,
        JSON.stringify({
          ...current,
          v: current.v + 1,
          data: { ...current.data, other: current.v },
        }),
        ttl,
      );
      return false;
    };
    await expect(b.go((_, o) => o.valid && o.session.set('mine', 1))).rejects.toMatchObject({
      code: 'ERR_SESSION_CONFLICT',
    });
  });

  it('a stale touch never overwrites newer data', async () => {
    const h = harness();
    const b = await h.signedIn('ada', { cart: 1 });
    h.clock.advance('5m');
    const slow = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    await slow.load(); // decides a touch is due
    await b.go((_, o) => o.valid && o.session.set('cart', 2));
    h.clock.advance('1s');
    await slow.commit(new Response());
    expect((await b.go()).rs.current?.get('cart')).toBe(2);
  });
});

describe('per-user session limit', () => {
  it('evict-oldest ends the least recently used session', async () => {
    const h = harness({ sessionLimit: { max: 2, onLimit: 'evict-oldest' } });
    const first = await h.signedIn('ada');
    h.clock.advance('2m');
    const second = await h.signedIn('ada');
    h.clock.advance('2m');
    await first.go(); // first is now more recently used than second
    h.clock.advance('2m');
    const third = await h.signedIn('ada');
    expect(verdict((await second.go()).outcome)).toBe('revoked');
    expect(verdict((await first.go()).outcome)).toBe('valid');
    expect(verdict((await third.go()).outcome)).toBe('valid');
    expect(h.events.filter((e) => e.type === 'evicted')).toHaveLength(1);
    expect(await h.lk.listSessions('ada')).toHaveLength(2);
  });

  it('refuse throws SessionLimitError and leaves the existing sessions alone', async () => {
    const h = harness({ sessionLimit: { max: 2, onLimit: 'refuse' } });
    const a = await h.signedIn('ada');
    await h.signedIn('ada');
    const error = await h
      .visit(undefined, (rs) => rs.login('ada'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SessionLimitError);
    expect((error as SessionLimitError).code).toBe('ERR_SESSION_LIMIT');
    expect(await h.lk.listSessions('ada')).toHaveLength(2);
    // Another user is not affected; re-authenticating on a device that holds one of the sessions is not a new one.
    await h.signedIn('bob');
    await a.go((rs) => rs.login('ada'));
    expect(verdict((await a.go()).outcome)).toBe('valid');
  });

  it('expired sessions do not count toward the limit', async () => {
    const h = harness({ sessionLimit: { max: 1, onLimit: 'refuse' } });
    await h.signedIn('ada');
    h.clock.advance('31m');
    await expect(h.signedIn('ada')).resolves.toBeDefined();
  });

  it('a limit without a user-index store fails at construction', () => {
    const clock = { now: () => 0 };
    const store = counting(new MemoryStore(), { userIndex: false });
    expect(() =>
      createLatchkey({
        policy: basePolicy,
        store,
        clock,
        sessionLimit: { max: 3, onLimit: 'refuse' },
      }),
    ).toThrow(StoreCapabilityError);
    try {
      createLatchkey({
        policy: basePolicy,
        store,
        clock,
        sessionLimit: { max: 3, onLimit: 'refuse' },
      });
    } catch (e) {
      expect((e as StoreCapabilityError).code).toBe('ERR_STORE_CAPABILITY');
      expect((e as Error).message).toMatch(/userIndex/);
    }
  });

  it('listing sessions without a user index is refused clearly, not answered with an empty list', async () => {
    const h = harness({ userIndex: false });
    await h.signedIn('ada');
    await expect(h.lk.listSessions('ada')).rejects.toBeInstanceOf(StoreCapabilityError);
    await expect(h.lk.revokeUser('ada')).rejects.toBeInstanceOf(StoreCapabilityError);
  });
});

describe('log out everywhere, other sessions, and the device list', () => {
  it('revokeUser ends every session of that user only', async () => {
    const h = harness();
    const ada = [await h.signedIn('ada'), await h.signedIn('ada'), await h.signedIn('ada')];
    const bob = await h.signedIn('bob');
    expect(await h.lk.revokeUser('ada')).toBe(3);
    for (const b of ada) expect(verdict((await b.go()).outcome)).toBe('revoked');
    expect(verdict((await bob.go()).outcome)).toBe('valid');
    expect(h.events.filter((e) => e.type === 'revoke-all')).toMatchObject([
      { userId: 'ada', count: 3 },
    ]);
  });

  it('two apps on one store with their own keyPrefix list and revoke only their own sessions', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const app = (keyPrefix?: string) =>
      createLatchkey({ policy: basePolicy, store, clock, ...(keyPrefix ? { keyPrefix } : {}) });
    const [shop, admin, legacy] = [app('shop:'), app('admin:'), app()];
    const login = async (lk: typeof shop) => {
      const rs = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
      await rs.load();
      return (await rs.login('ada')).handle;
    };
    const shopSession = await login(shop);
    await login(admin);
    const legacySession = await login(legacy);
    // Listing in one app used to drop the other apps' index members as dead, hiding them from their own revokeUser.
    expect((await shop.listSessions('ada')).map((s) => s.handle)).toEqual([shopSession]);
    expect((await legacy.listSessions('ada')).map((s) => s.handle)).toEqual([legacySession]);
    expect(await admin.revokeUser('ada')).toBe(1);
    expect((await admin.listSessions('ada')).map((s) => s.handle)).toEqual([]);
    expect((await shop.listSessions('ada')).map((s) => s.handle)).toEqual([shopSession]);
    expect(await shop.revokeUser('ada')).toBe(1);
    expect(await legacy.revokeUser('ada')).toBe(1);
  });

  it('revokeOthers keeps the current session', async () => {
    const h = harness();
    const phone = await h.signedIn('ada');
    const laptop = await h.signedIn('ada');
    const v = await laptop.go(async (rs) => expect(await rs.revokeOthers()).toBe(1));
    expect(verdict(v.outcome)).toBe('valid');
    expect(verdict((await laptop.go()).outcome)).toBe('valid');
    expect(verdict((await phone.go()).outcome)).toBe('revoked');
  });

  it("a bad user ID is the caller's error (TypeError), never reported as a store outage", async () => {
    const h = harness();
    for (const userId of ['', undefined, 42] as unknown as string[]) {
      await expect(h.lk.revokeUser(userId)).rejects.toThrow(TypeError);
      await expect(h.lk.listSessions(userId)).rejects.toThrow(TypeError);
    }
    expect(h.events.filter((e) => e.type === 'store-error')).toEqual([]);
  });

  it('listSessions marks the current one, shows device facts, and never exposes the secret ID', async () => {
    const h = harness();
    const phone = h.browser();
    await phone.go((rs) =>
      rs.login('ada', { device: { userAgent: 'Phone/1.0', ip: '203.0.113.9' } }),
    );
    h.clock.advance('1m');
    const laptop = await h.signedIn('ada');
    const current = (await laptop.go()).rs.current!.handle;
    const list = await h.lk.listSessions('ada', current);
    expect(list).toHaveLength(2);
    expect(list.filter((s) => s.current).map((s) => s.handle)).toEqual([current]);
    expect(list.find((s) => !s.current)?.device).toEqual({
      userAgent: 'Phone/1.0',
      ip: '203.0.113.9',
    });
    const text = JSON.stringify(list);
    expect(text).not.toContain(phone.id!);
    expect(text).not.toContain(laptop.id!);
    // The handle revokes; the secret ID does not.
    expect(await h.lk.revokeSession(list.find((s) => !s.current)!.handle)).toBe(true);
    expect(verdict((await phone.go()).outcome)).toBe('revoked');
  });
});

describe('events', () => {
  it('a whole scenario emits every lifecycle event, with handles and never a secret ID', async () => {
    const h = harness({
      policy: {
        idleTimeout: '30m',
        absoluteTimeout: '8h',
        touchInterval: '1m',
        renewInterval: '1h',
        renewGrace: '10s',
      },
      sessionLimit: { max: 2, onLimit: 'evict-oldest' },
    });
    const ids = new Set<string>();
    const track = async (b: ReturnType<typeof h.browser>, f?: Parameters<typeof b.go>[0]) => {
      const v = await b.go(f);
      if (b.id) ids.add(b.id);
      return v;
    };
    const a = h.browser();
    await track(a, (rs) => rs.start({ cart: 1 })); // created
    await track(a, (rs) => rs.login('ada')); // regenerated (login)
    await track(a, (rs) => rs.regenerate()); // regenerated (privilege-change)
    for (let i = 0; i < 13; i++) {
      h.clock.advance('5m'); // touched, then renewed at the hour
      await track(a);
    }
    const b = h.browser();
    await track(b, (rs) => rs.login('ada'));
    const c = h.browser();
    await track(c, (rs) => rs.login('ada')); // evicted (limit 2)
    await track(c, (rs) => rs.logout()); // logout
    const d = h.browser();
    await track(d, (rs) => rs.login('bob'));
    await h.lk.revokeSession((await track(d)).rs.current!.handle); // revoked
    await track(d); // revoked-used
    await h.lk.revokeUser('ada'); // revoke-all
    const e = h.browser();
    await track(e, (rs) => rs.login('eve'));
    h.clock.advance('31m');
    await track(e); // expired
    (h.store as unknown as Record<string, unknown>).get = () =>
      Promise.reject(new Error('connection reset'));
    await expect(track(e)).rejects.toBeInstanceOf(StoreError); // store-error

    const types = new Set(h.events.map((ev) => ev.type));
    for (const t of [
      'created',
      'regenerated',
      'renewed',
      'touched',
      'expired',
      'logout',
      'revoked',
      'revoke-all',
      'store-error',
      'evicted',
      'revoked-used',
    ]) {
      expect(types, t).toContain(t);
    }
    expect(ids.size).toBeGreaterThan(5);
    for (const ev of h.events) {
      const text = JSON.stringify(ev);
      for (const id of ids) expect(text, `${ev.type} leaks a session ID`).not.toContain(id);
    }
    const handles = h.events.flatMap((ev) => ('handle' in ev ? [ev.handle] : []));
    for (const handle of handles) expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a throwing or rejecting onEvent does not break the request', async () => {
    for (const onEvent of [
      () => {
        throw new Error('monitor down');
      },
      () => Promise.reject(new Error('monitor down')),
    ]) {
      const h = harness({ onEvent });
      const b = await h.signedIn();
      h.clock.advance('2m');
      expect(verdict((await b.go()).outcome)).toBe('valid');
      await b.go((rs) => rs.logout());
      expect(b.id).toBeUndefined();
    }
  });
});
