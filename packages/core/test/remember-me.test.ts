/**
 * Remember me: the device token beside the session, silent re-authentication
 * with rotation, the grace window for parallel requests, theft detection,
 * revocation and listing. Manual clock, MemoryStore, a tiny cookie jar.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createLatchkey,
  MemoryStore,
  PolicyError,
  presets,
  StoreCapabilityError,
  StoreError,
  type LoadOutcome,
  type PolicyOptions,
  type SessionLimit,
  type RequestSession,
  type SessionEvent,
  type SessionStore,
} from '../src/index.js';
import { ManualClock } from '../src/clock.js';

const ORIGIN = 'https://app.example';
const SESSION = '__Host-session';
const REMEMBER = '__Host-remember';

const policy: PolicyOptions = {
  name: 'test',
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
  rememberMe: '14d',
  freshAuthAge: '15m',
};

type Handler = (rs: RequestSession, outcome: LoadOutcome) => unknown;

function setup(
  options: {
    policy?: PolicyOptions;
    store?: (clock: ManualClock) => SessionStore;
    sessionLimit?: SessionLimit;
  } = {},
) {
  const clock = new ManualClock();
  const store = options.store ? options.store(clock) : new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const lk = createLatchkey({
    policy: options.policy ?? policy,
    store,
    clock,
    onEvent: (e) => void events.push(e),
    ...(options.sessionLimit ? { sessionLimit: options.sessionLimit } : {}),
  });

  /** One request with a raw Cookie header. */
  async function send(cookie: string | undefined, handler?: Handler) {
    const rs = lk.forRequest(
      new Request(ORIGIN + '/', { headers: cookie === undefined ? {} : { cookie } }),
    );
    const outcome = await rs.load();
    if (handler) await handler(rs, outcome);
    const response = await rs.commit(new Response('ok'));
    const set = new Map<string, { value: string; maxAge: number | undefined; line: string }>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const maxAge = attrs.find((a) => /^max-age=/i.test(a));
      set.set(pair.slice(0, pair.indexOf('=')), {
        value: pair.slice(pair.indexOf('=') + 1),
        maxAge: maxAge ? Number(maxAge.split('=')[1]) : undefined,
        line,
      });
    }
    return { rs, outcome, response, set };
  }

  /** A browser: a jar that Set-Cookie fills and Max-Age=0 empties. */
  function browser() {
    const jar = new Map<string, string>();
    return {
      jar,
      header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ') || undefined,
      async go(handler?: Handler) {
        const r = await send(
          [...jar].map(([k, v]) => `${k}=${v}`).join('; ') || undefined,
          handler,
        );
        for (const [name, { value, maxAge }] of r.set) {
          if (maxAge === 0) jar.delete(name);
          else jar.set(name, value);
        }
        return r;
      },
    };
  }

  async function remembered(userId = 'ada') {
    const b = browser();
    await b.go((rs) => rs.login(userId, { rememberMe: true }));
    expect(b.jar.has(SESSION) && b.jar.has(REMEMBER)).toBe(true);
    return b;
  }

  const of = <T extends SessionEvent['type']>(type: T) =>
    events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
  return { clock, store, events, lk, send, browser, remembered, of };
}

const handleOf = (o: LoadOutcome) => (o.valid ? o.session.handle : null);

describe('remember-me login', () => {
  it('sets a second, persistent, strict cookie holding a split token beside the session cookie', async () => {
    const t = setup();
    const b = t.browser();
    const { set } = await b.go((rs) => rs.login('ada', { rememberMe: true }));
    const line = set.get(REMEMBER)!.line;
    expect(set.get(REMEMBER)!.maxAge).toBe(14 * 24 * 3600);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).not.toMatch(/Domain/i);
    expect(b.jar.get(REMEMBER)).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(b.jar.get(SESSION)).not.toBe(b.jar.get(REMEMBER));
  });

  it('the device cookie stays HttpOnly even when the app lets scripts read its session cookie', async () => {
    const clock = new ManualClock();
    const lk = createLatchkey({
      policy,
      store: new MemoryStore({ clock }),
      clock,
      cookie: { httpOnly: false },
    });
    const rs = lk.forRequest(new Request(ORIGIN + '/'));
    await rs.login('ada', { rememberMe: true });
    const lines = (await rs.commit(new Response('ok'))).headers.getSetCookie();
    expect(lines.find((l) => l.startsWith(`${SESSION}=`))).not.toMatch(/HttpOnly/);
    // The 14-day device token is worth far more to an XSS payload than the session; no script ever needs it.
    expect(lines.find((l) => l.startsWith(`${REMEMBER}=`))).toMatch(/; HttpOnly/);
  });

  it('is refused by policies that forbid it (banking, kiosk), before anything is written', async () => {
    for (const preset of [presets.banking, presets.kiosk]) {
      const t = setup({ policy: preset });
      const b = t.browser();
      const error = await b
        .go((rs) => rs.login('ada', { rememberMe: true }))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).message).toMatch(new RegExp(`${preset.name}.*remember-me`));
      expect(b.jar.size).toBe(0);
      expect(await t.lk.listSessions('ada')).toEqual([]);
      // A plain login still works under the same policy.
      await b.go((rs) => rs.login('ada'));
      expect(b.jar.has(SESSION) && !b.jar.has(REMEMBER)).toBe(true);
    }
  });
});

describe('silent re-authentication', () => {
  it('after idle expiry: a new session for the same user, a rotated token, the original auth time, step-up required', async () => {
    const t = setup();
    const b = await t.remembered();
    const loginAt = t.clock.now();
    const first = await b.go();
    const firstHandle = handleOf(first.outcome);
    const token = b.jar.get(REMEMBER)!;
    const sessionId = b.jar.get(SESSION)!;

    t.clock.advance('31m');
    const back = await b.go();
    expect(back.outcome.valid).toBe(true);
    if (!back.outcome.valid) return;
    expect(back.outcome.via).toBe('remember-me');
    expect(back.outcome.session.userId).toBe('ada');
    expect(back.outcome.session.handle).not.toBe(firstHandle);
    expect(back.outcome.session.authTime).toBe(loginAt);
    expect(t.of('expired').map((e) => e.reason)).toEqual(['idle']);
    // Same selector, new validator; a new session ID.
    const rotated = b.jar.get(REMEMBER)!;
    expect(rotated.split('.')[0]).toBe(token.split('.')[0]);
    expect(rotated.split('.')[1]).not.toBe(token.split('.')[1]);
    expect(b.jar.get(SESSION)).not.toBe(sessionId);
    expect(back.response.headers.get('cache-control')).toBe('no-store');
    // Not a fresh authentication: sensitive actions still ask for one.
    const check = t.lk.requireFreshAuth(back.outcome.session);
    expect(check.fresh).toBe(false);
    if (!check.fresh) expect(check.response.status).toBe(403);

    // The next request rides the new session: a live one, no rotation, no Set-Cookie.
    const next = await b.go();
    expect(next.outcome.valid && next.outcome.via).toBe(undefined);
    expect(handleOf(next.outcome)).toBe(back.outcome.session.handle);
    expect(next.set.size).toBe(0);
  });

  it('after absolute expiry of a session in constant use', async () => {
    const t = setup();
    const b = await t.remembered();
    const loginAt = t.clock.now();
    for (let i = 0; i < 23; i++) {
      t.clock.advance('20m');
      expect((await b.go()).outcome.valid).toBe(true);
    }
    t.clock.advance('21m'); // 8 h 1 min after login, 21 min after the last request
    const back = await b.go();
    expect(t.of('expired').map((e) => e.reason)).toEqual(['absolute']);
    expect(back.outcome.valid && back.outcome.via).toBe('remember-me');
    if (!back.outcome.valid) return;
    expect(back.outcome.session.authTime).toBe(loginAt);
    expect(back.outcome.session.absoluteExpiresAt).toBe(t.clock.now() + 8 * 3600_000);
    expect(t.lk.requireFreshAuth(back.outcome.session).fresh).toBe(false);
  });

  it('when the browser kept only the device cookie (session cookie gone)', async () => {
    const t = setup();
    const b = await t.remembered();
    b.jar.delete(SESSION);
    const back = await b.go();
    expect(back.outcome.valid && back.outcome.via).toBe('remember-me');
    expect(b.jar.has(SESSION)).toBe(true);
  });

  it('never re-authenticates past the device lifetime, which rotation does not extend', async () => {
    const t = setup();
    const b = await t.remembered();
    for (let day = 0; day < 13; day++) {
      t.clock.advance('1d');
      expect((await b.go()).outcome.valid).toBe(true);
    }
    const last = await b.go();
    expect(last.outcome.valid).toBe(true);
    t.clock.advance('1d'); // 14 days after the login
    const after = await b.go();
    expect(after.outcome.valid).toBe(false);
    expect(b.jar.has(REMEMBER)).toBe(false);
  });
});

describe('theft detection', () => {
  it('a replayed old token outside the grace window revokes every device and session of the user', async () => {
    const t = setup();
    const b = await t.remembered('ada');
    const other = await t.remembered('ada');
    const bob = await t.remembered('bob');
    const copied = b.jar.get(REMEMBER)!;
    t.clock.advance('31m');
    expect((await b.go()).outcome.valid).toBe(true); // the owner's device rotates
    t.clock.advance('31s'); // past the 30 s grace window
    const thief = await t.send(`${REMEMBER}=${copied}`);
    expect(thief.outcome.valid).toBe(false);
    expect(thief.set.get(REMEMBER)?.maxAge).toBe(0);
    const theft = t.of('remember-me-theft');
    expect(theft).toHaveLength(1);
    expect(theft[0]!.userId).toBe('ada');

    // Everything of ada's is gone: the owner's fresh session and device, the other device and its session.
    for (const browser of [b, other]) {
      const r = await browser.go();
      expect(r.outcome.valid).toBe(false);
      expect(browser.jar.has(REMEMBER)).toBe(false);
    }
    expect(await t.lk.listRememberedLogins('ada')).toEqual([]);
    expect(await t.lk.listSessions('ada')).toEqual([]);
    // bob is untouched.
    expect((await bob.go()).outcome.valid).toBe(true);
    expect(await t.lk.listRememberedLogins('bob')).toHaveLength(1);
  });

  it('twenty parallel requests with one token inside the grace window all get the same successor, and the device survives', async () => {
    const t = setup();
    const b = await t.remembered();
    t.clock.advance('31m');
    const header = b.header();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.send(header)));
    const tokens = new Set(results.map((r) => r.set.get(REMEMBER)?.value));
    const ids = new Set(results.map((r) => r.set.get(SESSION)?.value));
    expect(
      results.every(
        (r) =>
          r.outcome.valid && r.outcome.via === 'remember-me' && r.outcome.session.userId === 'ada',
      ),
    ).toBe(true);
    expect(tokens.size).toBe(1);
    expect(ids.size).toBe(1);
    expect([...tokens][0]).not.toBe(b.jar.get(REMEMBER));
    expect(t.of('remember-me-theft')).toEqual([]);
    expect(t.of('remember-me-used').filter((e) => !e.shared)).toHaveLength(1);
    expect(await t.lk.listSessions('ada')).toHaveLength(1);

    // A straggler 20 s later still gets the same successor.
    t.clock.advance('20s');
    const late = await t.send(header);
    expect(late.set.get(REMEMBER)?.value).toBe([...tokens][0]);

    // The device lives on with the successor: next expiry, it signs back in again.
    b.jar.set(REMEMBER, [...tokens][0]!);
    b.jar.set(SESSION, [...ids][0]!);
    t.clock.advance('31m');
    const again = await b.go();
    expect(again.outcome.valid && again.outcome.via).toBe('remember-me');
    expect(t.of('remember-me-theft')).toEqual([]);
    expect(await t.lk.listRememberedLogins('ada')).toHaveLength(1);
  });

  it('arbitrary device cookies never throw, never sign anyone in, and never count as theft of a real device', async () => {
    const t = setup();
    const b = await t.remembered();
    const real = b.jar.get(REMEMBER)!;
    const b64 = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    );
    const shaped = fc
      .tuple(
        fc.string({ unit: b64, minLength: 22, maxLength: 22 }),
        fc.string({ unit: b64, minLength: 43, maxLength: 43 }),
      )
      .map(([s, v]) => `${s}.${v}`);
    const cookieSafe = fc
      .string({ maxLength: 200 })
      .map((v) => v.replace(/[;\s\u0000-\u001f\u007f-\uffff]/g, ''));
    await fc.assert(
      fc.asyncProperty(fc.oneof(shaped, cookieSafe), async (value) => {
        fc.pre(value !== real);
        const r = await t.send(`${REMEMBER}=${value}`);
        expect(r.outcome.valid).toBe(false);
      }),
      { numRuns: 100 },
    );
    expect(t.of('remember-me-theft')).toEqual([]);
    b.jar.delete(SESSION);
    expect((await b.go()).outcome.valid).toBe(true);
  });

  it('hostile cookie values are refused without throwing', async () => {
    const t = setup();
    for (const value of [
      '',
      '.',
      'a'.repeat(4000),
      `${'A'.repeat(22)}.${'B'.repeat(43)}`,
      '%00%ff',
      '"quoted"',
      `${'A'.repeat(22)}.${'B'.repeat(42)}é`,
    ]) {
      const r = await t.send(`${REMEMBER}=${value}`);
      expect(r.outcome.valid).toBe(false);
    }
    expect(t.of('remember-me-theft')).toEqual([]);
  });
});

describe('revocation and listing', () => {
  it('logout forgets the device server-side and clears its cookie; a replay is refused', async () => {
    const t = setup();
    const b = await t.remembered();
    const token = b.jar.get(REMEMBER)!;
    const out = await b.go((rs) => rs.logout());
    expect(out.set.get(REMEMBER)?.maxAge).toBe(0);
    expect(out.set.get(SESSION)?.maxAge).toBe(0);
    expect(b.jar.size).toBe(0);
    const replay = await t.send(`${REMEMBER}=${token}`);
    expect(replay.outcome.valid).toBe(false);
    expect(await t.lk.listRememberedLogins('ada')).toEqual([]);
    expect(t.of('remember-me-revoked').map((e) => e.cause)).toEqual(['logout']);
  });

  it('logout right after a silent re-authentication forgets the device too', async () => {
    const t = setup();
    const b = await t.remembered();
    t.clock.advance('31m');
    const token = b.jar.get(REMEMBER)!;
    await b.go((rs) => rs.logout());
    t.clock.advance('1m');
    expect((await t.send(`${REMEMBER}=${token}`)).outcome.valid).toBe(false);
    expect(await t.lk.listRememberedLogins('ada')).toEqual([]);
  });

  it('revokeUser forgets every device; revokeOthers keeps only the current one', async () => {
    const t = setup();
    const a1 = await t.remembered('ada');
    const a2 = await t.remembered('ada');
    const a3 = await t.remembered('ada');
    const bob = await t.remembered('bob');
    const kept = handleOf((await a1.go((rs) => rs.revokeOthers())).outcome);
    const devices = await t.lk.listRememberedLogins('ada');
    expect(devices).toHaveLength(1);
    expect(devices[0]!.session?.handle).toBe(kept);
    a2.jar.delete(SESSION);
    expect((await a2.go()).outcome.valid).toBe(false);

    await t.lk.revokeUser('ada');
    for (const browser of [a1, a3]) {
      browser.jar.delete(SESSION);
      expect((await browser.go()).outcome.valid).toBe(false);
    }
    expect(await t.lk.listRememberedLogins('ada')).toEqual([]);
    bob.jar.delete(SESSION);
    expect((await bob.go()).outcome.valid).toBe(true);
  });

  it('log out everywhere during a silent re-authentication ends the session it is creating', async () => {
    let hook: ((member: string) => Promise<void>) | undefined;
    const t = setup({
      store: (clock) => {
        const memory = new MemoryStore({ clock });
        const index = memory.userIndex;
        return {
          name: 'memory-with-a-pause',
          get: (k) => memory.get(k),
          set: (k, v, ttl) => memory.set(k, v, ttl),
          delete: (k) => memory.delete(k),
          compareAndSet: (k, e, v, ttl) => memory.compareAndSet(k, e, v, ttl),
          userIndex: {
            add: async (u, m, ttl) => {
              await hook?.(m);
              return index.add(u, m, ttl);
            },
            list: (u) => index.list(u),
            remove: (u, m) => index.remove(u, m),
            removeAll: (u) => index.removeAll(u),
          },
        };
      },
    });
    const b = await t.remembered();
    b.jar.delete(SESSION);
    let revoked = false;
    // "Log out everywhere" (another device, an administrator) lands while the re-created session is being indexed.
    hook = async (member) => {
      if (revoked || member.startsWith('rm:')) return;
      revoked = true;
      await t.lk.revokeUser('ada');
    };
    await b.go();
    hook = undefined;
    expect(revoked).toBe(true);
    expect((await b.go()).outcome.valid).toBe(false);
    expect(await t.lk.listSessions('ada')).toEqual([]);
  });

  it('lists devices with their current session, and ending a device ends its session while ending a session keeps the device', async () => {
    const t = setup();
    const phone = await t.remembered('ada');
    const laptop = t.browser();
    await laptop.go((rs) => rs.login('ada'));
    const phoneHandle = handleOf((await phone.go()).outcome)!;

    let devices = await t.lk.listRememberedLogins('ada', phoneHandle);
    expect(devices).toHaveLength(1);
    expect(devices[0]!.session).toMatchObject({ handle: phoneHandle, current: true });
    const sessions = await t.lk.listSessions('ada');
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.handle === phoneHandle)?.rememberedLogin).toBe(
      devices[0]!.handle,
    );

    // The device's session changes with silent re-authentication; the list follows.
    t.clock.advance('20m');
    expect((await laptop.go()).outcome.valid).toBe(true);
    t.clock.advance('11m');
    const back = handleOf((await phone.go()).outcome)!;
    expect(back).not.toBe(phoneHandle);
    devices = await t.lk.listRememberedLogins('ada');
    expect(devices[0]!.session?.handle).toBe(back);
    expect(devices[0]!.lastUsedAt).toBe(t.clock.now());

    // Ending only the session: the device signs straight back in.
    expect(await t.lk.revokeSession(back)).toBe(true);
    const revived = await phone.go();
    expect(revived.outcome.valid && revived.outcome.via).toBe('remember-me');

    // Ending the device: its token and its session are gone; the laptop's own login is not touched.
    expect(await t.lk.revokeRememberedLogin(devices[0]!.handle)).toBe(true);
    expect((await phone.go()).outcome.valid).toBe(false);
    expect(await t.lk.listRememberedLogins('ada')).toEqual([]);
    expect((await laptop.go()).outcome.valid).toBe(true);
    expect(await t.lk.revokeRememberedLogin('not a handle')).toBe(false);
  });

  it('a device signing back in counts against the session limit: refused (device kept) or evicting the oldest', async () => {
    for (const onLimit of ['refuse', 'evict-oldest'] as const) {
      const t = setup({ sessionLimit: { max: 1, onLimit } });
      const phone = await t.remembered('ada');
      t.clock.advance('31m');
      const laptop = t.browser();
      await laptop.go((rs) => rs.login('ada'));
      const back = await phone.go();
      if (onLimit === 'refuse') {
        expect(back.outcome.valid).toBe(false);
        expect(phone.jar.has(REMEMBER)).toBe(true);
        expect((await laptop.go()).outcome.valid).toBe(true);
        expect(await t.lk.listRememberedLogins('ada')).toHaveLength(1);
      } else {
        expect(back.outcome.valid && back.outcome.via).toBe('remember-me');
        expect((await laptop.go()).outcome.valid).toBe(false);
      }
    }
  });

  it('a new login on a remembered browser replaces its device', async () => {
    const t = setup();
    const b = await t.remembered('ada');
    const before = await t.lk.listRememberedLogins('ada');
    await b.go((rs) => rs.login('ada', { rememberMe: true }));
    const after = await t.lk.listRememberedLogins('ada');
    expect(after).toHaveLength(1);
    expect(after[0]!.handle).not.toBe(before[0]!.handle);
    // Signing in as someone else without remember-me forgets ada's device on this browser.
    await b.go((rs) => rs.login('bob'));
    expect(b.jar.has(REMEMBER)).toBe(false);
    expect(await t.lk.listRememberedLogins('ada')).toEqual([]);
  });
});

describe('configuration and failure', () => {
  it('a remember-me lifetime shorter than the default grace names the default it checked, and the fix', () => {
    const make = () =>
      createLatchkey({
        policy: { idleTimeout: '30m', absoluteTimeout: '8h', rememberMe: '20s' },
        store: new MemoryStore(),
      });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/default grace of 30000 ms/);
    expect(make).toThrow(/rememberMe: \{ grace \}/);
  });

  it('refuses remember-me on a store without compare-and-set or a user index, naming the capability and the stores that work', () => {
    const without =
      (drop: 'compareAndSet' | 'userIndex') =>
      (clock: ManualClock): SessionStore => {
        const m = new MemoryStore({ clock });
        return {
          name: 'kv-like',
          get: (k) => m.get(k),
          set: (k, v, ttl) => m.set(k, v, ttl),
          delete: (k) => m.delete(k),
          ...(drop === 'compareAndSet'
            ? { userIndex: m.userIndex }
            : {
                compareAndSet: (k: string, e: string | null, v: string, ttl: number) =>
                  m.compareAndSet(k, e, v, ttl),
              }),
        };
      };
    for (const drop of ['compareAndSet', 'userIndex'] as const) {
      const error = (() => {
        try {
          setup({ store: without(drop) });
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(StoreCapabilityError);
      expect(error).toMatchObject({ code: 'ERR_STORE_CAPABILITY', capability: drop });
      expect((error as Error).message).toMatch(/memory, Redis, Deno KV, Durable Objects/);
      expect((error as Error).message).toMatch(/kv-like does not provide it/);
      // The same store is fine once remember-me is off.
      expect(() =>
        setup({ policy: { ...policy, rememberMe: false }, store: without(drop) }),
      ).not.toThrow();
    }
  });

  it('fails closed with StoreError when the store fails during re-authentication', async () => {
    let down = false;
    const t = setup({
      store: (clock) => {
        const m = new MemoryStore({ clock });
        return {
          name: 'flaky',
          userIndex: m.userIndex,
          get: (k) => (down ? Promise.reject(new Error('ECONNRESET')) : m.get(k)),
          set: (k, v, ttl) => m.set(k, v, ttl),
          delete: (k) => m.delete(k),
          compareAndSet: (k, e, v, ttl) => m.compareAndSet(k, e, v, ttl),
        };
      },
    });
    const b = await t.remembered();
    b.jar.delete(SESSION);
    down = true;
    const rs = t.lk.forRequest(new Request(ORIGIN, { headers: { cookie: b.header()! } }));
    await expect(rs.load()).rejects.toBeInstanceOf(StoreError);
    down = false;
    expect((await b.go()).outcome.valid).toBe(true);
  });

  it('events carry handles only: never a validator, a selector or a session ID', async () => {
    const t = setup();
    const secrets = new Set<string>();
    const keep = (b: { jar: Map<string, string> }) => {
      for (const v of b.jar.values()) for (const part of [v, ...v.split('.')]) secrets.add(part);
    };
    const b = await t.remembered();
    keep(b);
    const copied = b.jar.get(REMEMBER)!;
    t.clock.advance('31m');
    await Promise.all([b.go(), t.send(b.header())]);
    keep(b);
    t.clock.advance('1m');
    await t.send(`${REMEMBER}=${copied}`); // theft
    await (await t.remembered()).go((rs) => rs.logout());
    expect(t.of('remember-me-theft')).toHaveLength(1);
    const log = JSON.stringify(t.events);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
