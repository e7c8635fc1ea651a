/**
 * Sealed cookie sessions on the manual clock: idle and absolute expiry
 * through the same decide() as server sessions, touch throttling, key
 * rotation with resealing, chunking and refuse mode, junk cookies (each
 * one-character change is in tamper.test.ts), the verified cookie cache, and
 * logout-everywhere through the per-user not-before time.
 */
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { CookieError, ConfigError, SessionCommittedError, StoreError } from '../src/errors.js';
import type { SessionEvent } from '../src/events.js';
import type { PolicyOptions } from '../src/policy.js';
import {
  createSealedSessions,
  type SealedSessions,
  type SealedSessionsOptions,
} from '../src/sealed/sealed-sessions.js';
import type { SealedRequestSession } from '../src/sealed/sealed-sessions.js';
import { MemoryStore } from '../src/store/memory.js';
import { createMonitor } from '../src/monitor/monitor.js';
import type { LoadOutcome } from '../src/outcome.js';

const policy: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
};
const CURRENT = 'c'.repeat(32);
const OLD = 'o'.repeat(40);
type Data = { theme?: string; blob?: string };

/** A cookie jar that behaves like a browser for one origin: Set-Cookie sets, Max-Age=0 deletes. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    cookies,
    header: () => [...cookies].map(([n, v]) => `${n}=${v}`).join('; '),
    take(lines: string[]) {
      for (const line of lines) {
        expect(line.length).toBeLessThanOrEqual(4096);
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq);
        if (/;\s*Max-Age=0(;|$)/i.test(line)) cookies.delete(name);
        else cookies.set(name, pair!.slice(eq + 1));
      }
    },
  };
}

function setup(options: Partial<SealedSessionsOptions> = {}, clock = new ManualClock()) {
  const events: SessionEvent[] = [];
  const sessions = createSealedSessions<Data>({
    policy,
    secrets: [CURRENT],
    clock,
    onEvent: (e) => void events.push(e),
    ...options,
  });
  return { clock, events, sessions, browser: browser(sessions) };
}

function browser(sessions: SealedSessions<Data>, j = jar()) {
  return {
    jar: j,
    async go(handler?: (rs: SealedRequestSession<Data>, outcome: LoadOutcome<Data>) => unknown) {
      const rs = sessions.forRequest(
        new Request('https://app.example/', { headers: j.header() ? { cookie: j.header() } : {} }),
      );
      const outcome = await rs.load();
      if (handler) await handler(rs, outcome);
      const response = await rs.commit(new Response('ok'));
      const setCookie = response.headers.getSetCookie();
      j.take(setCookie);
      return { outcome, setCookie, response };
    },
  };
}

describe('sealed sessions: construction', () => {
  it('refuses an empty secret list and secrets under 32 bytes, naming the position and the limit', () => {
    expect(() => createSealedSessions({ policy, secrets: [] })).toThrow(ConfigError);
    expect(() => createSealedSessions({ policy, secrets: [CURRENT, 'x'.repeat(31)] })).toThrow(
      /secrets\[1\] is 31 bytes; a sealing secret needs at least 32 bytes/,
    );
    expect(() => createSealedSessions({ policy, secrets: [new Uint8Array(16)] })).toThrow(
      RangeError,
    );
  });
});

describe('sealed sessions: lifecycle on the manual clock', () => {
  it('login seals the session into a __Host- cookie the client cannot read; load gives it back', async () => {
    const { browser: b, events } = setup();
    const first = await b.go((rs) => rs.login('ada', { data: { theme: 'dark' } }));
    expect(first.setCookie).toHaveLength(1);
    expect(first.setCookie[0]).toMatch(
      /^__Host-session=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Max-Age=28800; Expires=[^;]+; Path=\/; Secure; HttpOnly; SameSite=Lax$/,
    );
    expect(first.setCookie[0]).not.toContain('dark');
    expect(first.response.headers.get('cache-control')).toBe('no-store');
    const second = await b.go();
    expect(second.outcome).toMatchObject({ valid: true });
    if (second.outcome.valid) {
      expect(second.outcome.session.userId).toBe('ada');
      expect(second.outcome.session.data).toEqual({ theme: 'dark' });
      expect(second.outcome.session.authTime).not.toBeNull();
    }
    expect(events.map((e) => e.type)).toEqual(['created']);
  });

  it('an anonymous session carries its data into login; login issues a new session ID', async () => {
    const { browser: b, events } = setup();
    await b.go((rs) => rs.start({ theme: 'dark' }));
    const anon = await b.go();
    expect(anon.outcome.valid && anon.outcome.session.userId).toBeNull();
    await b.go((rs) => rs.login('ada'));
    const signedIn = await b.go();
    expect(signedIn.outcome.valid && signedIn.outcome.session.data).toEqual({ theme: 'dark' });
    const [created, regenerated] = events;
    expect(regenerated).toMatchObject({ type: 'regenerated', cause: 'login', userId: 'ada' });
    expect(
      regenerated!.type === 'regenerated' &&
        created!.type === 'created' &&
        regenerated.previous === created.handle &&
        regenerated.handle !== created.handle,
    ).toBe(true);
  });

  it('touch is throttled: no reseal within touchInterval, one after it', async () => {
    const { browser: b, clock } = setup();
    await b.go((rs) => rs.login('ada'));
    clock.advance('30s');
    expect((await b.go()).setCookie).toEqual([]);
    clock.advance('31s');
    const touched = await b.go();
    expect(touched.setCookie).toHaveLength(1);
    expect((await b.go()).setCookie).toEqual([]);
  });

  it('idle expiry: unused for 30 minutes, the cookie is refused as expired-idle', async () => {
    const { browser: b, clock, events } = setup();
    await b.go((rs) => rs.login('ada'));
    clock.advance('29m');
    expect((await b.go()).outcome.valid).toBe(true);
    clock.advance('30m');
    const late = await b.go();
    expect(late.outcome).toMatchObject({ valid: false, reason: 'expired-idle' });
    expect(events.at(-1)).toMatchObject({ type: 'expired', reason: 'idle', userId: 'ada' });
  });

  it('absolute expiry: used every 20 minutes, the session still ends 8 hours after login', async () => {
    const { browser: b, clock } = setup();
    await b.go((rs) => rs.login('ada'));
    const start = clock.now();
    let outcome: LoadOutcome<Data> | undefined;
    while (clock.now() - start < 9 * 3_600_000) {
      clock.advance('20m');
      outcome = (await b.go()).outcome;
      if (!outcome.valid) break;
    }
    expect(outcome).toMatchObject({
      valid: false,
      reason: 'expired-absolute',
      at: start + 8 * 3_600_000,
    });
    expect(clock.now() - start).toBe(8 * 3_600_000);
  });

  it('a data change reseals at once; logout clears the cookie', async () => {
    const { browser: b } = setup();
    await b.go((rs) => rs.login('ada'));
    const change = await b.go((_rs, o) => o.valid && o.session.set('theme', 'light'));
    expect(change.setCookie).toHaveLength(1);
    const read = await b.go();
    expect(read.outcome.valid && read.outcome.session.data.theme).toBe('light');
    const out = await b.go((rs) => rs.logout());
    expect(out.setCookie[0]).toMatch(/^__Host-session=; Max-Age=0/);
    expect(out.response.headers.get('cache-control')).toBe('no-store');
    expect(b.jar.cookies.size).toBe(0);
    expect((await b.go()).outcome).toMatchObject({ valid: false, reason: 'missing' });
  });
});

describe('sealed sessions: key rotation', () => {
  it('a cookie sealed with an older key stays readable and is resealed with the current key on the next request', async () => {
    const clock = new ManualClock();
    const before = setup({ secrets: [OLD] }, clock);
    await before.browser.go((rs) => rs.login('ada', { data: { theme: 'dark' } }));
    const oldCookie = before.browser.jar.header();
    const kidOf = (cookie: string) =>
      JSON.parse(atob(cookie.split('=')[1]!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')))
        .kid as string;

    const after = setup({ secrets: [CURRENT, OLD] }, clock);
    const b = browser(after.sessions, before.browser.jar);
    const visit = await b.go(); // no touch due: the write happens because the key is old
    expect(visit.outcome.valid && visit.outcome.session.data).toEqual({ theme: 'dark' });
    expect(visit.setCookie).toHaveLength(1);
    expect(kidOf(b.jar.header())).not.toBe(kidOf(oldCookie));
    expect((await b.go()).setCookie).toEqual([]); // resealed once, then throttled again

    // Once the old secret is dropped, the resealed cookie still works and the old one does not.
    const current = setup({ secrets: [CURRENT] }, clock);
    expect((await browser(current.sessions, b.jar).go()).outcome.valid).toBe(true);
    const stale = jar();
    stale.cookies.set('__Host-session', oldCookie.split('=')[1]!);
    expect((await browser(current.sessions, stale).go()).outcome).toMatchObject({
      valid: false,
      reason: 'malformed',
    });
  });
});

describe('sealed sessions: size', () => {
  const big = (n: number) =>
    Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('');

  it('split: a large session becomes numbered chunks of at most 4096 bytes each, attributes included, and reads back whole', async () => {
    const { browser: b } = setup({ chunking: 'split' });
    const login = await b.go((rs) => rs.login('ada', { data: { blob: big(9000) } }));
    const names = login.setCookie.map((l) => l.split('=')[0]);
    expect(names.length).toBeGreaterThanOrEqual(3);
    expect(names).toEqual(names.map((_, i) => `__Host-session.${i}`));
    const read = await b.go();
    expect(read.outcome.valid && read.outcome.session.data.blob).toBe(big(9000));
    // Shrinking: fewer chunks, and the stale tail is deleted from the jar.
    await b.go((_rs, o) => o.valid && o.session.set('blob', big(3000)));
    const left = [...b.jar.cookies.keys()].sort();
    expect(left.length).toBeLessThan(names.length);
    expect(left).toEqual(names.slice(0, left.length));
    const shrunk = await b.go();
    expect(shrunk.outcome.valid && shrunk.outcome.session.data.blob).toBe(big(3000));
    // Small again: one plain cookie, every chunk deleted.
    await b.go((_rs, o) => o.valid && o.session.delete('blob'));
    expect([...b.jar.cookies.keys()]).toEqual(['__Host-session']);
    const last = await b.go();
    expect(last.outcome.valid && last.outcome.session.data).toEqual({});
  });

  it('split: a missing middle chunk is refused, not glued', async () => {
    const { browser: b } = setup({ chunking: 'split' });
    await b.go((rs) => rs.login('ada', { data: { blob: big(9000) } }));
    b.jar.cookies.delete('__Host-session.1');
    expect((await b.go()).outcome).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('refuse (the default): a session over 4096 bytes is a CookieError at commit', async () => {
    const { sessions } = setup();
    const rs = sessions.forRequest(new Request('https://app.example/'));
    await rs.login('ada', { data: { blob: big(5000) } });
    await expect(rs.commit(new Response('ok'))).rejects.toThrow(CookieError);
    const again = sessions.forRequest(new Request('https://app.example/'));
    await again.login('ada', { data: { blob: big(5000) } });
    await expect(again.flush()).rejects.toThrow(/over the 4096-byte limit.*chunking: 'split'/);
  });

  it('split beyond maxChunks is refused too', async () => {
    const { sessions } = setup({ chunking: 'split', maxChunks: 2 });
    const rs = sessions.forRequest(new Request('https://app.example/'));
    await rs.login('ada', { data: { blob: big(12_000) } });
    await expect(rs.flush()).rejects.toThrow(/maxChunks \(2\)/);
  });
});

describe('sealed sessions: tampering, cache, revocation', () => {
  it('junk cookies (not five segments, bad base64url, empty JSON) are malformed, without throwing', async () => {
    const { sessions } = setup({ cache: false });
    for (const junk of ['x', 'a.b.c.d.e', '....', '%00', 'e30.e30.e30.e30.e30']) {
      const rs = sessions.forRequest(
        new Request('https://app.example/', { headers: { cookie: `__Host-session=${junk}` } }),
      );
      expect(await rs.load()).toMatchObject({ valid: false, reason: 'malformed' });
    }
  });

  it('the cache spares the decryption: ten requests with one cookie decrypt it once (and ten times with the cache off)', async () => {
    for (const [cache, expected] of [
      [{ maxEntries: 10 }, 1],
      [false, 10],
    ] as const) {
      const { browser: b } = setup({ cache });
      await b.go((rs) => rs.login('ada'));
      const decrypt = vi.spyOn(crypto.subtle, 'decrypt');
      try {
        for (let i = 0; i < 10; i++) expect((await b.go()).outcome.valid).toBe(true);
        expect(decrypt).toHaveBeenCalledTimes(expected);
      } finally {
        decrypt.mockRestore();
      }
    }
  });

  it('with the cache on, a request sees what its cookie says, not what an earlier request did to its copy of the data', async () => {
    for (const cache of [{ maxEntries: 10 }, false] as const) {
      const { browser: b } = setup({ cache });
      await b.go((rs) => rs.login('ada', { data: { prefs: { theme: 'light' } } as Data }));
      const cookie = b.jar.header();
      // A handler changing a nested value in place, without set(): nothing is written, so the cookie still says light.
      await b.go((_rs, outcome) => {
        if (outcome.valid)
          (outcome.session.get('prefs' as keyof Data) as unknown as { theme: string }).theme =
            'dark';
      });
      expect(b.jar.header()).toBe(cookie);
      const next = await b.go();
      expect(next.outcome.valid && next.outcome.session.data).toEqual({
        prefs: { theme: 'light' },
      });
    }
  });

  it('with the cache on, expiry is still decided every request', async () => {
    const { browser: b, clock } = setup({ cache: { maxEntries: 10 } });
    await b.go((rs) => rs.login('ada'));
    expect((await b.go()).outcome.valid).toBe(true);
    clock.advance('30m');
    expect((await b.go()).outcome).toMatchObject({ valid: false, reason: 'expired-idle' });
  });

  it('logout everywhere through the per-user not-before: an old copy of the cookie is refused, even from the cache', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const { browser: b, sessions, events } = setup({ notBefore: { store } }, clock);
    await b.go((rs) => rs.login('ada'));
    const stolen = b.jar.header();
    expect((await b.go()).outcome.valid).toBe(true); // cached now
    clock.advance('1s');
    await b.go((rs) => rs.logout({ everywhere: true }));
    const thief = jar();
    thief.cookies.set('__Host-session', stolen.split('=')[1]!);
    expect((await browser(sessions, thief).go()).outcome).toMatchObject({
      valid: false,
      reason: 'revoked',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'token-revoked-used',
      cause: 'not-before',
      userId: 'ada',
    });
    clock.advance('1ms');
    await b.go((rs) => rs.login('ada'));
    expect((await b.go()).outcome.valid).toBe(true);
  });

  it('forged sealed cookies from one client are a validation-burst in the monitor, as with server sessions', async () => {
    const clock = new ManualClock();
    const { sessions, events, browser: b } = setup({}, clock);
    await b.go((rs) => rs.login('ada'));
    const good = b.jar.cookies.get('__Host-session')!;
    const monitor = createMonitor({ clock, burst: { threshold: 5, window: '1m' } });
    const attacker = '203.0.113.66';
    const forged = [
      `${good.slice(0, -2)}AA`, // a flipped tag
      good.slice(0, 40), // truncated
      'not-a-sealed-cookie',
      `${good}x`,
      good.split('').reverse().join(''),
    ];
    for (const value of forged) {
      const rs = sessions.forRequest(
        new Request('https://app.example/', { headers: { cookie: `__Host-session=${value}` } }),
        { ip: attacker },
      );
      expect(await rs.load()).toMatchObject({ valid: false, reason: 'malformed' });
    }
    const failed = events.filter((e) => e.type === 'validation-failed');
    expect(failed).toHaveLength(5);
    expect(failed.every((e) => e.type === 'validation-failed' && e.client === attacker)).toBe(true);
    for (const e of events) monitor.observe(e);
    expect(monitor.anomalies().map((a) => a.kind)).toEqual(['validation-burst']);
    // The real cookie still signs ada in.
    expect((await b.go()).outcome.valid).toBe(true);
  });

  it('revokeOthers() and reauthenticate() after commit() throw SessionCommittedError and log nobody out', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const { browser: b, sessions } = setup({ notBefore: { store } }, clock);
    await b.go((rs) => rs.login('ada'));
    clock.advance('1s');
    const rs = sessions.forRequest(
      new Request('https://app.example/', { headers: { cookie: b.jar.header() } }),
    );
    await rs.load();
    await rs.commit(new Response('ok'));
    await expect(rs.revokeOthers()).rejects.toBeInstanceOf(SessionCommittedError);
    await expect(rs.reauthenticate()).rejects.toThrow(/reauthenticate\(\) after commit/);
    // The late call wrote no not-before time: the browser's cookie still signs it in.
    clock.advance('1s');
    expect((await b.go()).outcome.valid).toBe(true);
  });

  it('a failing not-before store fails closed: load rejects with StoreError, never signs anyone in or out', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const { browser: b } = setup({ notBefore: { store } }, clock);
    await b.go((rs) => rs.login('ada'));
    store.get = async () => {
      throw new Error('connection refused');
    };
    await expect(b.go()).rejects.toBeInstanceOf(StoreError);
  });

  it('logout everywhere without a not-before store is a configuration error, not a silent no-op', async () => {
    const { browser: b } = setup();
    await b.go((rs) => rs.login('ada'));
    await expect(b.go((rs) => rs.logout({ everywhere: true }))).rejects.toThrow(ConfigError);
  });
});
