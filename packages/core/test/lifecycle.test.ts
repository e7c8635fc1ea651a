import { describe, expect, it } from 'vitest';
import { SessionRequiredError } from '../src/errors.js';
import type { ManualClock } from '../src/clock.js';
import { COOKIE, harness, parseSetCookie, verdict } from './harness.js';

/** Advance `total` in steps of at most 5 minutes, with a request after each step. */
async function keepAlive(
  clock: ManualClock,
  b: { go(): Promise<unknown> },
  total: `${number}m` | `${number}h`,
): Promise<void> {
  const ms = Number(total.slice(0, -1)) * (total.endsWith('h') ? 3_600_000 : 60_000);
  for (let done = 0; done < ms; done += 5 * 60_000) {
    clock.advance(Math.min(5 * 60_000, ms - done));
    await b.go();
  }
}

const renewing = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: '1h',
  renewGrace: '10s',
} as const;

/** A signed-in browser kept active for 55 minutes: five more and its ID is due for renewal. */
async function dueForRenewal() {
  const h = harness({ policy: renewing });
  const b = await h.signedIn();
  await keepAlive(h.clock, b, '55m');
  return { h, b, old: b.id! };
}

describe('expiry', () => {
  it('expires after an idle gap longer than the idle timeout, with the deadline as `at`', async () => {
    const h = harness();
    const b = await h.signedIn();
    const loginAt = h.clock.now();
    h.clock.advance('30m');
    const v = await b.go();
    expect(v.outcome).toEqual({ valid: false, reason: 'expired-idle', at: loginAt + 30 * 60_000 });
  });

  it('accepts a request just inside the idle timeout', async () => {
    const h = harness();
    const b = await h.signedIn();
    h.clock.advance(30 * 60_000 - 1);
    expect(verdict((await b.go()).outcome)).toBe('valid');
  });

  it('slides the idle window with activity, up to the absolute cap and never beyond', async () => {
    const h = harness(); // idle 30m, absolute 8h
    const b = await h.signedIn();
    const loginAt = h.clock.now();
    // A request every 20 minutes keeps it alive for the whole absolute lifetime...
    while (h.clock.now() + 20 * 60_000 < loginAt + 8 * 3_600_000) {
      h.clock.advance('20m');
      expect(verdict((await b.go()).outcome)).toBe('valid');
    }
    // ...and not one millisecond past it.
    h.clock.set(loginAt + 8 * 3_600_000 - 1);
    expect(verdict((await b.go()).outcome)).toBe('valid');
    h.clock.advance(1);
    expect((await b.go()).outcome).toEqual({
      valid: false,
      reason: 'expired-absolute',
      at: loginAt + 8 * 3_600_000,
    });
  });

  it('reports expired-absolute when both deadlines have passed', async () => {
    const h = harness({
      policy: {
        idleTimeout: '30m',
        absoluteTimeout: '1h',
        touchInterval: '1m',
        renewInterval: false,
      },
    });
    const b = await h.signedIn();
    const loginAt = h.clock.now();
    h.clock.advance('29m');
    await b.go(); // idle deadline now 59m after login
    h.clock.advance('32m'); // 61m: idle gap 32m > 30m, and past the 1h absolute deadline
    expect((await b.go()).outcome).toEqual({
      valid: false,
      reason: 'expired-absolute',
      at: loginAt + 3_600_000,
    });
  });

  it('tells a returning user why during the expiry notice, then forgets the session', async () => {
    const h = harness(); // expiryNotice 15m
    const b = await h.signedIn();
    h.clock.advance('44m');
    expect(verdict((await b.go()).outcome)).toBe('expired-idle');
    h.clock.advance('2m');
    expect(verdict((await b.go()).outcome)).toBe('unknown');
  });

  it('emits an expired event with the reason', async () => {
    const h = harness();
    const b = await h.signedIn();
    h.clock.advance('31m');
    await b.go();
    expect(h.events.filter((e) => e.type === 'expired')).toMatchObject([
      { type: 'expired', reason: 'idle', userId: 'ada' },
    ]);
  });
});

describe('login', () => {
  it('issues a new ID each time, and the previous one is dead at once', async () => {
    const h = harness();
    const b = h.browser();
    await b.go((rs) => rs.start({ cart: ['book'] }));
    const anonymous = b.id!;
    await b.go((rs) => rs.login('ada'));
    const first = b.id!;
    await b.go((rs) => rs.login('ada'));
    const second = b.id!;
    expect(new Set([anonymous, first, second]).size).toBe(3);
    expect(verdict((await h.visit(anonymous)).outcome)).toBe('unknown');
    expect(verdict((await h.visit(first)).outcome)).toBe('unknown');
    expect(verdict((await h.visit(second)).outcome)).toBe('valid');
  });

  it('carries the anonymous session data over into the signed-in one', async () => {
    const h = harness();
    const b = h.browser();
    await b.go((rs) => rs.start({ cart: ['book'] }));
    await b.go((rs) => rs.login('ada', { data: { theme: 'dark' } }));
    const v = await b.go();
    expect(v.outcome?.valid && v.outcome.session.data).toEqual({ cart: ['book'], theme: 'dark' });
  });

  it('starts clean when asked, or when a different user signs in', async () => {
    const h = harness();
    const b = await h.signedIn('ada', { secret: 'ada-only' });
    await b.go((rs) => rs.login('ada', { clean: true }));
    expect((await b.go()).rs.current?.data).toEqual({});

    const c = await h.signedIn('ada', { secret: 'ada-only' });
    await c.go((rs) => rs.login('bob'));
    const v = await c.go();
    expect(v.rs.current?.userId).toBe('bob');
    expect(v.rs.current?.data).toEqual({});
  });

  it('starts a new absolute lifetime on login (re-authentication)', async () => {
    const h = harness();
    const b = await h.signedIn();
    await keepAlive(h.clock, b, '7h');
    await b.go((rs) => rs.login('ada'));
    await keepAlive(h.clock, b, '2h');
    expect(verdict((await b.go()).outcome)).toBe('valid');
  });

  it('keeps data set on the session right after login, in the same request', async () => {
    const h = harness();
    const b = h.browser();
    await b.go(async (rs) => {
      const s = await rs.login('ada');
      s.set('greeting', 'welcome back');
    });
    expect((await b.go()).rs.current?.data).toEqual({ greeting: 'welcome back' });
  });

  it('rejects an empty user ID', async () => {
    const h = harness();
    await expect(h.visit(undefined, (rs) => rs.login(''))).rejects.toThrow(TypeError);
  });

  it('sets Cache-Control: no-store on the response that carries a new session cookie', async () => {
    const h = harness();
    const v = await h.visit(undefined, (rs) => rs.login('ada'));
    expect(v.response.headers.get('cache-control')).toBe('no-store');
  });

  it('overrides a cacheable Cache-Control when the response carries a new session cookie', async () => {
    const h = harness();
    const rs = h.lk.forRequest(h.request());
    await rs.login('ada');
    const res = await rs.commit(
      new Response('hi', { headers: { 'cache-control': 'public, max-age=600' } }),
    );
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it("keeps the app's Cache-Control on an ordinary signed-in response", async () => {
    const h = harness();
    const b = await h.signedIn();
    const rs = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    await rs.load();
    const res = await rs.commit(
      new Response('hi', { headers: { 'cache-control': 'private, max-age=60' } }),
    );
    expect(res.headers.get('cache-control')).toBe('private, max-age=60');
  });
});

describe('regenerate (privilege change)', () => {
  it('issues a new ID, kills the old one, keeps data and the absolute deadline', async () => {
    const h = harness();
    const b = await h.signedIn('ada', { role: 'user' });
    const before = b.id!;
    const absolute = (await b.go()).rs.current!.absoluteExpiresAt;
    h.clock.advance('10m');
    await b.go(async (rs) => {
      const s = await rs.regenerate();
      s.set('role', 'admin');
    });
    expect(b.id).not.toBe(before);
    expect(verdict((await h.visit(before)).outcome)).toBe('unknown');
    const v = await b.go();
    expect(v.rs.current?.data).toEqual({ role: 'admin' });
    expect(v.rs.current?.userId).toBe('ada');
    expect(v.rs.current?.absoluteExpiresAt).toBe(absolute);
  });

  it('clean regeneration drops the data', async () => {
    const h = harness();
    const b = await h.signedIn('ada', { role: 'user' });
    await b.go((rs) => rs.regenerate({ clean: true }));
    expect((await b.go()).rs.current?.data).toEqual({});
  });

  it('a request in flight during a regeneration keeps its write, but its old ID no longer loads', async () => {
    const h = harness();
    const b = await h.signedIn('ada', { role: 'user' });
    const old = b.id!;
    const slow = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const o = await slow.load();
    if (!o.valid) throw new Error('expected valid');
    await b.go((rs) => rs.regenerate());
    o.session.set('draft', 'kept');
    await slow.commit(new Response());
    expect((await b.go()).rs.current?.data).toEqual({ role: 'user', draft: 'kept' });
    expect(verdict((await h.visit(old)).outcome)).toBe('unknown');
  });

  it('a logout loaded before a parallel regeneration still ends the session', async () => {
    const h = harness();
    const b = await h.signedIn();
    const slow = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    await slow.load();
    await b.go((rs) => rs.regenerate());
    await slow.logout();
    await slow.commit(new Response());
    expect(verdict((await b.go()).outcome)).not.toBe('valid');
    expect(await h.lk.listSessions('ada')).toEqual([]);
  });

  it('two racing regenerations do not fork the session: the second fails with SessionConflictError', async () => {
    const h = harness();
    const b = await h.signedIn();
    const old = b.id!;
    const tab1 = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const tab2 = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    await Promise.all([tab1.load(), tab2.load()]);
    await tab1.regenerate();
    const winner = parseSetCookie(
      (await tab1.commit(new Response())).headers.getSetCookie()[0]!,
    ).value;
    await expect(tab2.regenerate()).rejects.toMatchObject({ code: 'ERR_SESSION_CONFLICT' });
    expect((await tab2.commit(new Response())).headers.getSetCookie()).toEqual([]);
    expect(verdict((await h.visit(winner)).outcome)).toBe('valid');
    expect(await h.lk.listSessions('ada')).toHaveLength(1);
  });

  it('refuses without a session', async () => {
    const h = harness();
    await expect(h.visit(undefined, (rs) => rs.regenerate())).rejects.toThrow(SessionRequiredError);
  });
});

describe('renewal', () => {
  it('after renewInterval sets a new cookie; the old one follows it within renewGrace and is dead after', async () => {
    const h = harness({ policy: renewing });
    const b = await h.signedIn('ada', { n: 1 });
    const old = b.id!;
    await keepAlive(h.clock, b, '55m');
    expect(b.id).toBe(old);
    h.clock.advance('5m');
    const v = await b.go();
    expect(verdict(v.outcome)).toBe('valid');
    expect(b.id).not.toBe(old);
    expect(h.events.filter((e) => e.type === 'renewed')).toHaveLength(1);

    h.clock.advance('9s');
    const inFlight = await h.visit(old);
    expect(verdict(inFlight.outcome)).toBe('valid');
    expect(inFlight.rs.current?.data).toEqual({ n: 1 });
    expect(inFlight.setCookie).toEqual([]); // the in-flight request does not fork a second successor

    h.clock.advance('1s');
    expect(verdict((await h.visit(old)).outcome)).toBe('unknown');
    expect(verdict((await b.go()).outcome)).toBe('valid');
  });

  it('two racing renewals do not fork the session: one successor survives', async () => {
    const { h, b, old } = await dueForRenewal();
    h.clock.advance('5m');
    const tab1 = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const tab2 = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    await Promise.all([tab1.load(), tab2.load()]);
    const sizeBefore = h.memory.size;
    const [r1, r2] = await Promise.all([
      tab1.commit(new Response('1')),
      tab2.commit(new Response('2')),
    ]);
    const issued = [...r1.headers.getSetCookie(), ...r2.headers.getSetCookie()].map(
      (l) => parseSetCookie(l).value,
    );
    expect(issued).toHaveLength(1);
    // The old key now holds the alias; exactly one new record was added.
    expect(h.memory.size).toBe(sizeBefore + 1);
    expect(h.events.filter((e) => e.type === 'renewed')).toHaveLength(1);
    expect(verdict((await h.visit(issued[0])).outcome)).toBe('valid');
    // The loser's cookie still works through the alias during the grace window.
    expect(verdict((await h.visit(old)).outcome)).toBe('valid');
    expect((await h.lk.listSessions('ada')).length).toBe(1);
  });

  it("a racing renewal that loses keeps its data change, written to the winner's successor", async () => {
    const { h, b, old } = await dueForRenewal();
    h.clock.advance('5m');
    const tab1 = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const tab2 = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    const [o1, o2] = await Promise.all([tab1.load(), tab2.load()]);
    if (!o1.valid || !o2.valid) throw new Error('expected both valid');
    o2.session.set('draft', 'kept');
    const r1 = await tab1.commit(new Response('1'));
    await tab2.commit(new Response('2'));
    const successor = parseSetCookie(r1.headers.getSetCookie()[0]!).value;
    expect((await h.visit(successor)).rs.current?.data).toEqual({ draft: 'kept' });
  });

  it('a tab still holding the pre-renewal cookie of a revoked session is told revoked', async () => {
    const { h, b, old } = await dueForRenewal();
    h.clock.advance('5m');
    await b.go(); // renewed
    expect(b.id).not.toBe(old);
    await h.lk.revokeUser('ada');
    expect(verdict((await b.go()).outcome)).toBe('revoked');
    expect(verdict((await h.visit(old)).outcome)).toBe('revoked');
  });

  it('a logout from a request that loaded the session before a parallel renewal still ends the session', async () => {
    const { h, b, old } = await dueForRenewal();
    h.clock.advance('5m');
    const slow = h.lk.forRequest(h.request(`${COOKIE}=${old}`));
    expect(verdict(await slow.load())).toBe('valid');
    await b.go(); // another tab renews the ID meanwhile
    expect(b.id).not.toBe(old);
    await slow.logout();
    await slow.commit(new Response('bye'));
    expect(verdict((await b.go()).outcome)).not.toBe('valid');
    expect(verdict((await h.visit(old)).outcome)).not.toBe('valid');
    expect(await h.lk.listSessions('ada')).toEqual([]);
  });

  it('log out everywhere ends a session that renews while the revocation is under way', async () => {
    const { h, b } = await dueForRenewal();
    h.clock.advance('5m');
    const { set, compareAndSet } = h.store;
    let renewed = false;
    // The renewal lands between revokeUser reading the session and writing its tombstone.
    const renewFirst = async (value: string) => {
      if (renewed || !value.includes('"t":"revoked"')) return;
      renewed = true;
      await b.go();
    };
    h.store.set = async (key, value, ttl) => {
      await renewFirst(value);
      return set(key, value, ttl);
    };
    h.store.compareAndSet = async (key, expected, value, ttl) => {
      await renewFirst(value);
      return compareAndSet!(key, expected, value, ttl);
    };
    expect(await h.lk.revokeUser('ada')).toBe(1);
    expect(renewed).toBe(true);
    expect(verdict((await b.go()).outcome)).toBe('revoked');
    expect(await h.lk.listSessions('ada')).toEqual([]);
  });

  it('log out everywhere that lists the sessions after a renewal moved the ID but before it indexed the new one still ends it', async () => {
    const { h, b } = await dueForRenewal();
    h.clock.advance('5m');
    const index = h.store.userIndex!;
    const add = index.add;
    let revoked: number | undefined;
    // "Log out everywhere" runs in the gap between the renewal's alias and its index entry for the new handle.
    index.add = async (userId, member, ttl) => {
      if (revoked === undefined) revoked = await h.lk.revokeUser('ada');
      return add(userId, member, ttl);
    };
    await b.go();
    index.add = add;
    expect(revoked).toBe(1);
    expect(verdict((await b.go()).outcome)).toBe('revoked');
    expect(await h.lk.listSessions('ada')).toEqual([]);
  });

  it('revoking a handle listed just before a renewal revokes the renewed session', async () => {
    const { h, b } = await dueForRenewal();
    const [listed] = await h.lk.listSessions('ada');
    h.clock.advance('5m');
    await b.go(); // renewed: the session now lives under a new handle
    expect((await h.lk.listSessions('ada'))[0]!.handle).not.toBe(listed!.handle);
    expect(await h.lk.revokeSession(listed!.handle)).toBe(true);
    expect(verdict((await b.go()).outcome)).toBe('revoked');
  });

  it('renewal does not extend the absolute deadline', async () => {
    const h = harness({ policy: renewing });
    const b = await h.signedIn();
    const loginAt = h.clock.now();
    for (let i = 0; i < 16; i++) {
      h.clock.advance('29m');
      await b.go();
    }
    h.clock.set(loginAt + 8 * 3_600_000);
    expect(verdict((await b.go()).outcome)).toBe('expired-absolute');
  });
});

describe('logout', () => {
  it('deletes the server record, clears the cookie and marks the response no-store', async () => {
    const h = harness();
    const b = await h.signedIn();
    const old = b.id!;
    const v = await b.go((rs) => rs.logout());
    expect(b.id).toBeUndefined();
    expect(v.setCookie).toHaveLength(1);
    const cleared = parseSetCookie(v.setCookie[0]!);
    expect(cleared).toMatchObject({ name: COOKIE, value: '', maxAge: 0 });
    expect(cleared.attributes).toEqual(expect.arrayContaining(['Path=/', 'Secure']));
    expect(v.response.headers.get('cache-control')).toBe('no-store');
    expect(v.response.headers.has('clear-site-data')).toBe(false);
    // Replaying the old cookie (an attacker who copied it) finds nothing.
    expect(verdict((await h.visit(old)).outcome)).toBe('unknown');
    expect(await h.lk.listSessions('ada')).toEqual([]);
    expect(h.events.filter((e) => e.type === 'logout')).toHaveLength(1);
  });

  it('overrides a cacheable Cache-Control on the logout response', async () => {
    const h = harness();
    const b = await h.signedIn();
    const rs = h.lk.forRequest(h.request(`${COOKIE}=${b.id}`));
    await rs.logout();
    const res = await rs.commit(
      new Response('bye', { headers: { 'cache-control': 'public, max-age=600' } }),
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends Clear-Site-Data when configured', async () => {
    const h = harness({ clearSiteData: true });
    const b = await h.signedIn();
    const v = await b.go((rs) => rs.logout());
    expect(v.response.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
    const custom = harness({ clearSiteData: '"cookies"' });
    const c = await custom.signedIn();
    expect((await c.go((rs) => rs.logout())).response.headers.get('clear-site-data')).toBe(
      '"cookies"',
    );
  });

  it('without a session still clears the cookie and never throws', async () => {
    const h = harness();
    const v = await h.visit('garbage', (rs) => rs.logout());
    expect(parseSetCookie(v.setCookie[0]!).maxAge).toBe(0);
  });
});
