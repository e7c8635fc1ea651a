import { describe, expect, it } from 'vitest';
import {
  createLatchkey,
  definePolicy,
  MemoryStore,
  StoreCapabilityError,
  type SessionStore,
} from '@latchkey/core';
import { deviceBoundSessions } from '@latchkey/core/dbsc';
import { createMonitor } from '@latchkey/core/monitor';
import { DbscBrowser, readChallenge, signDbscProof } from '@latchkey/core/testing';
import { dbscApp } from './dbsc-app.js';

const ORIGIN = 'https://app.example';

async function signedIn(
  options: Parameters<typeof dbscApp>[0] = {},
  algorithms?: Array<'ES256' | 'RS256' | 'none'>,
) {
  const app = dbscApp(options);
  const browser = new DbscBrowser({
    fetch: app.fetch,
    now: () => app.clock.now(),
    ...(algorithms && { algorithms }),
  });
  const login = await browser.fetch(`${ORIGIN}/login`, { method: 'POST' });
  return { ...app, browser, login };
}

const only = <T>(m: Map<string, T>): T => {
  expect(m.size).toBe(1);
  return [...m.values()][0]!;
};

async function me(browser: DbscBrowser): Promise<{ status: number; body: any }> {
  const r = await browser.fetch(`${ORIGIN}/me`);
  return { status: r.status, body: await r.json() };
}

/** A refresh by hand, as a browser would send it. */
function refresh(browser: DbscBrowser, id: string, proof?: string, cookie?: string): Request {
  const headers = new Headers({ 'sec-secure-session-id': `"${id}"`, origin: ORIGIN });
  if (proof) headers.set('secure-session-response', `"${proof}"`);
  headers.set('cookie', cookie ?? browser.jar.header(new URL(`${ORIGIN}/dbsc/refresh`)));
  return new Request(`${ORIGIN}/dbsc/refresh`, { method: 'POST', headers });
}

describe('DBSC registration', () => {
  it('offers registration on login, binds the session to an ES256 key, and moves the cookies', async () => {
    const { login, browser, events } = await signedIn();
    expect(login.headers.get('secure-session-registration')).toMatch(
      /^\(ES256 RS256\);path="\/dbsc\/register";challenge="[A-Za-z0-9_-]{43}"$/,
    );
    expect(browser.log.map((x) => [x.kind, x.status])).toEqual([['registration', 200]]);
    const session = only(browser.sessions);
    expect(session.alg).toBe('ES256');
    expect(session.refreshUrl.href).toBe(`${ORIGIN}/dbsc/refresh`);
    expect(session.credentials).toEqual([
      { name: '__Host-session-bound', attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax' },
    ]);
    // The Path=/ session cookie is gone; the long-lived one is scoped to the refresh endpoint.
    expect(browser.jar.get('__Host-session')).toBeUndefined();
    expect(browser.jar.get('__Secure-session')?.path).toBe('/dbsc/refresh');
    expect(browser.jar.get('__Host-session-bound')?.expiresAt).toBe(
      browser.jar.get('__Host-session-bound')!.expiresAt,
    );
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
    expect(events.find((e) => e.type === 'device-bound')).toMatchObject({
      userId: 'alice',
      alg: 'ES256',
    });
  });

  it('registers an RS256 key when the browser prefers it', async () => {
    const { browser } = await signedIn({}, ['RS256']);
    expect(only(browser.sessions).alg).toBe('RS256');
    expect((await me(browser)).body.bound).toBe(true);
  });

  it('refuses alg none unless enabled, and the session stays unbound', async () => {
    const { browser, events } = await signedIn({}, ['none']);
    expect(browser.sessions.size).toBe(0); // `none` was not offered, so there was nothing to register
    const app = dbscApp();
    const login = await app.fetch(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    const challenge = /challenge="([^"]+)"/.exec(
      login.headers.get('secure-session-registration')!,
    )![1]!;
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const proof = await signDbscProof('none', null, challenge, true);
    const r = await app.fetch(
      new Request(`${ORIGIN}/dbsc/register`, {
        method: 'POST',
        headers: { cookie, 'secure-session-response': `"${proof}"` },
      }),
    );
    expect(r.status).toBe(400);
    expect(
      app.events.some((e) => e.type === 'device-binding-refused' && e.reason === 'proof'),
    ).toBe(true);
    const page = await app.fetch(new Request(`${ORIGIN}/me`, { headers: { cookie } }));
    expect(await page.json()).toEqual({ user: 'alice', bound: false });
    expect(events.some((e) => e.type === 'device-bound')).toBe(false);
  });

  it('spends the registration challenge once: a second registration with it is refused', async () => {
    const app = dbscApp();
    const login = await app.fetch(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    const challenge = /challenge="([^"]+)"/.exec(
      login.headers.get('secure-session-registration')!,
    )![1]!;
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const proof = await signDbscProof('ES256', keys, challenge, true);
    const register = () =>
      app.fetch(
        new Request(`${ORIGIN}/dbsc/register`, {
          method: 'POST',
          headers: { cookie, 'secure-session-response': proof },
        }),
      );
    const [a, b] = await Promise.all([register(), register()]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
  });

  it('accepts the key in the payload and a string iat and an aud, as the spec example and older Chrome send', async () => {
    const app = dbscApp();
    const login = await app.fetch(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    const challenge = /challenge="([^"]+)"/.exec(
      login.headers.get('secure-session-registration')!,
    )![1]!;
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const { CompactSign } = await import('jose');
    const payload = {
      aud: `${ORIGIN}/dbsc/register`,
      jti: challenge,
      iat: '1725579055',
      jwk: { kty, crv, x, y },
    };
    const proof = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt' })
      .sign(keys.privateKey);
    const r = await app.fetch(
      new Request(`${ORIGIN}/dbsc/register`, {
        method: 'POST',
        headers: { cookie, 'secure-session-response': `"${proof}"` },
      }),
    );
    expect(r.status).toBe(200);
    expect((await r.json()).session_identifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('DBSC refresh', () => {
  it('answers a refresh without a proof with 403 and a challenge for the session', async () => {
    const { browser, fetch } = await signedIn();
    const session = only(browser.sessions);
    const r = await fetch(refresh(browser, session.id));
    expect(r.status).toBe(403);
    expect(readChallenge(r.headers.get('secure-session-challenge'))).toEqual({
      challenge: expect.any(String),
      id: session.id,
    });
  });

  it('refreshes an expired bound cookie before the page request, re-signing after a 403', async () => {
    const { browser, clock, events } = await signedIn();
    const before = browser.cookie('__Host-session-bound');
    clock.advance('11m'); // the bound cookie (10 min) and the cached challenge (5 min) are both gone
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
    expect(browser.log.slice(1).map((x) => [x.kind, x.status])).toEqual([
      ['refresh', 403],
      ['refresh', 200],
    ]);
    expect(browser.cookie('__Host-session-bound')).not.toBe(before);
    expect(events.filter((e) => e.type === 'device-refreshed')).toHaveLength(1);
    // The next refresh uses the challenge the 200 sent: no 403 round trip.
    clock.advance('4m');
    browser.jar.delete('__Host-session-bound', '/');
    expect((await me(browser)).status).toBe(200);
    expect(browser.log.slice(3).map((x) => x.status)).toEqual([200]);
  });

  it('accepts the immediately previous challenge (racing refreshes), not an older one', async () => {
    const { browser, fetch } = await signedIn();
    const session = only(browser.sessions);
    const challenge = async () =>
      readChallenge(
        (await fetch(refresh(browser, session.id))).headers.get('secure-session-challenge'),
      )!.challenge;
    const proof = (c: string) => signDbscProof('ES256', session.keys, c, false);
    // Two refreshes race: each got its own 403 challenge, so the first one's is now the previous.
    // Both proofs are signed before either arrives; they arrive one after the other (as sent at
    // once, they could arrive in either order, and the second to finish may find its challenge
    // two back: a 403 the browser answers by signing the fresh one).
    const [c1, c2] = [await challenge(), await challenge()];
    const [p1, p2] = [await proof(c1), await proof(c2)];
    const first = await fetch(refresh(browser, session.id, p1)); // the previous challenge
    const second = await fetch(refresh(browser, session.id, p2)); // previous now too: first issued one
    expect([first.status, second.status]).toEqual([200, 200]);
    // Three issued: the oldest died when the third was.
    const [old] = [await challenge(), await challenge(), await challenge()];
    expect((await fetch(refresh(browser, session.id, await proof(old!)))).status).toBe(403);
  });

  it('refuses a replayed challenge', async () => {
    const { browser, fetch } = await signedIn();
    const session = only(browser.sessions);
    const c = readChallenge(
      (await fetch(refresh(browser, session.id))).headers.get('secure-session-challenge'),
    )!;
    const proof = await signDbscProof('ES256', session.keys, c.challenge, false);
    expect((await fetch(refresh(browser, session.id, proof))).status).toBe(200);
    const replay = await fetch(refresh(browser, session.id, proof));
    expect(replay.status).toBe(403);
    expect(replay.headers.getSetCookie()).toEqual([]);
  });

  it('ends the session on a proof from a different key: continue false, and the session is revoked', async () => {
    const { browser, fetch, events } = await signedIn();
    const session = only(browser.sessions);
    const c = readChallenge(
      (await fetch(refresh(browser, session.id))).headers.get('secure-session-challenge'),
    )!;
    const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const r = await fetch(
      refresh(browser, session.id, await signDbscProof('ES256', other, c.challenge, false)),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ session_identifier: session.id, continue: false });
    expect(events.some((e) => e.type === 'device-binding-refused' && e.reason === 'proof')).toBe(
      true,
    );
    expect(events.some((e) => e.type === 'revoked')).toBe(true);
    // The bound cookie stands for the session, so it died with it.
    expect(await me(browser)).toEqual({ status: 401, body: { reason: 'revoked' } });
    browser.jar.delete('__Host-session-bound', '/');
    expect((await me(browser)).status).toBe(401);
    expect(browser.sessions.size).toBe(0); // the browser's own refresh was told continue: false
  });

  it('refuses an alg none proof for a key-bound session', async () => {
    const { browser, fetch } = await signedIn();
    const session = only(browser.sessions);
    const c = readChallenge(
      (await fetch(refresh(browser, session.id))).headers.get('secure-session-challenge'),
    )!;
    const r = await fetch(
      refresh(browser, session.id, await signDbscProof('none', null, c.challenge, false)),
    );
    expect(await r.json()).toEqual({ session_identifier: session.id, continue: false });
  });

  it('refuses a stolen long-lived cookie: anywhere but the refresh endpoint, and there without the key', async () => {
    const { browser, fetch, events } = await signedIn();
    const session = only(browser.sessions);
    const stolen = browser.jar.get('__Secure-session')!.value;
    // Sent by hand to a page, under either name.
    for (const cookie of [`__Secure-session=${stolen}`, `__Host-session=${stolen}`]) {
      const r = await fetch(new Request(`${ORIGIN}/me`, { headers: { cookie } }));
      expect(r.status).toBe(401);
    }
    expect(
      events.filter((e) => e.type === 'device-binding-refused' && e.reason === 'long-lived-cookie'),
    ).toHaveLength(1);
    // At the refresh endpoint: a challenge, then nothing without the registered key.
    const thief = new DbscBrowser({ fetch, now: () => 0 });
    const cookie = `__Secure-session=${stolen}`;
    const c = readChallenge(
      (await fetch(refresh(thief, session.id, undefined, cookie))).headers.get(
        'secure-session-challenge',
      ),
    )!;
    const own = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const r = await fetch(
      refresh(thief, session.id, await signDbscProof('ES256', own, c.challenge, false), cookie),
    );
    expect(await r.json()).toMatchObject({ continue: false });
    expect(
      r.headers
        .getSetCookie()
        .every((line) => !line.startsWith('__Host-session-bound=') || line.includes('Max-Age=0')),
    ).toBe(true);
  });

  it('never answers a refresh with a redirect', async () => {
    const { browser, fetch, clock } = await signedIn();
    const session = only(browser.sessions);
    clock.advance('9h'); // past the absolute timeout
    const r = await fetch(refresh(browser, session.id));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ session_identifier: session.id, continue: false });
  });
});

describe('DBSC lifetime', () => {
  it('ends the browser session with continue false after logout', async () => {
    const { browser } = await signedIn();
    await browser.fetch(`${ORIGIN}/logout`, { method: 'POST' });
    expect(browser.jar.get('__Host-session-bound')).toBeUndefined();
    expect(browser.jar.get('__Secure-session')).toBeUndefined();
    expect((await me(browser)).status).toBe(401);
    expect(browser.log.at(-1)).toMatchObject({ kind: 'refresh', status: 200 });
    expect(browser.sessions.size).toBe(0);
  });

  it('keeps the idle timeout through the bound cookie', async () => {
    const { browser, clock } = await signedIn();
    for (let i = 0; i < 5; i++) {
      clock.advance('9m');
      expect((await me(browser)).status).toBe(200); // refreshes as the bound cookie expires
    }
    clock.advance('31m');
    expect(await me(browser)).toEqual({ status: 401, body: { reason: 'missing' } });
    expect(browser.sessions.size).toBe(0);
  });

  it('renews the session ID at the refresh endpoint and keeps the binding', async () => {
    const { browser, clock } = await signedIn();
    const first = browser.cookie('__Secure-session');
    for (let i = 0; i < 6; i++) {
      clock.advance('11m'); // every request refreshes; the sixth is past the 1 h renewal interval
      expect((await me(browser)).status).toBe(200);
    }
    expect(browser.cookie('__Secure-session')).not.toBe(first);
    expect((await me(browser)).body).toEqual({ user: 'alice', bound: true });
  });

  it('keeps the binding across step-up, with both cookies re-issued', async () => {
    const { browser } = await signedIn();
    const before = browser.cookie('__Secure-session');
    const r = await browser.fetch(`${ORIGIN}/step-up`, { method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.headers.get('secure-session-registration')).toBeNull();
    expect(browser.cookie('__Secure-session')).not.toBe(before);
    expect(browser.jar.get('__Host-session')).toBeUndefined();
    expect((await me(browser)).body).toEqual({ user: 'alice', bound: true });
  });

  it('a second login in a bound browser: the old DBSC session ends, the new one keeps its cookies', async () => {
    const { browser, clock } = await signedIn();
    const first = only(browser.sessions).id;
    await browser.fetch(`${ORIGIN}/login`, { method: 'POST' });
    expect([...browser.sessions.keys()]).toHaveLength(2); // the old one is told at its next refresh
    clock.advance('11m');
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
    expect(browser.sessions.has(first)).toBe(false);
    expect(browser.sessions.size).toBe(1);
    clock.advance('11m');
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
  });

  it('with sessionOnlyCookie, a restart leaves at most the bound cookie lifetime', async () => {
    const { browser, clock } = await signedIn({ policy: { sessionOnlyCookie: true } });
    expect(browser.jar.get('__Secure-session')?.expiresAt).toBeNull();
    for (const c of browser.jar.all()) if (c.expiresAt === null) browser.jar.delete(c.name, c.path);
    expect((await me(browser)).status).toBe(200); // the bound cookie is still there
    clock.advance('11m');
    expect(await me(browser)).toEqual({ status: 401, body: { reason: 'missing' } });
    expect(browser.sessions.size).toBe(0);
  });

  it('reports Secure-Session-Skipped as a monitor event', async () => {
    const { browser, clock, events } = await signedIn();
    browser.skip = 'unreachable';
    clock.advance('11m');
    expect((await me(browser)).status).toBe(401);
    expect(events.find((e) => e.type === 'device-binding-skipped')).toMatchObject({
      reason: 'unreachable',
      sessionIdentifier: only(browser.sessions).id,
    });
  });
});

describe('DBSC fallback', () => {
  it('a browser without DBSC keeps an ordinary session; required routes refuse it', async () => {
    const app = dbscApp({ deviceBinding: 'required' });
    const firefox = new DbscBrowser({ fetch: app.fetch, now: () => app.clock.now(), dbsc: false });
    await firefox.fetch(`${ORIGIN}/login`, { method: 'POST' });
    expect(firefox.jar.get('__Host-session')).toBeDefined();
    expect(await (await firefox.fetch(`${ORIGIN}/me`)).json()).toEqual({
      user: 'alice',
      bound: false,
    });
    const secure = await firefox.fetch(`${ORIGIN}/secure`, {
      headers: { accept: 'application/json' },
    });
    expect(secure.status).toBe(403);
    expect(await secure.json()).toEqual({ error: 'device_binding_required' });
  });

  it("under 'offered', required routes let unbound sessions through", async () => {
    const app = dbscApp({ deviceBinding: 'offered' });
    const firefox = new DbscBrowser({ fetch: app.fetch, now: () => app.clock.now(), dbsc: false });
    await firefox.fetch(`${ORIGIN}/login`, { method: 'POST' });
    expect((await firefox.fetch(`${ORIGIN}/secure`)).status).toBe(200);
  });

  it('a bound browser passes required routes', async () => {
    const { browser } = await signedIn({ deviceBinding: 'required' });
    expect((await browser.fetch(`${ORIGIN}/secure`)).status).toBe(200);
  });

  it('works on plain http://localhost in development mode', async () => {
    const app = dbscApp({ cookie: { development: true, warn: () => {} } });
    const browser = new DbscBrowser({ fetch: app.fetch, now: () => app.clock.now() });
    await browser.fetch('http://localhost:3000/login', { method: 'POST' });
    expect(browser.jar.get('session')?.path).toBe('/dbsc/refresh');
    expect(browser.jar.get('session-bound')?.secure).toBe(false);
    app.clock.advance('11m');
    const r = await browser.fetch('http://localhost:3000/me');
    expect(await r.json()).toEqual({ user: 'alice', bound: true });
  });
});

describe('DBSC and remember-me', () => {
  const remembering = { policy: { rememberMe: '30d' as const } };
  const rememberCookie = (browser: DbscBrowser) =>
    [...browser.jar.all()].find((c) => c.name.includes('remember'));

  async function rememberedAndBound() {
    const app = dbscApp(remembering);
    const browser = new DbscBrowser({ fetch: app.fetch, now: () => app.clock.now() });
    await browser.fetch(`${ORIGIN}/login?remember`, { method: 'POST' });
    return { ...app, browser };
  }

  it('once the device registered, a copy of its remember-me cookie signs nobody in elsewhere', async () => {
    const { browser, fetch, events } = await rememberedAndBound();
    expect(only(browser.sessions).alg).toBe('ES256');
    const remember = rememberCookie(browser)!;
    expect(remember).toBeDefined();
    // The thief has the remember-me cookie alone (the bound cookie dies in minutes, the long-lived one is refused).
    const stolen = await fetch(
      new Request(`${ORIGIN}/me`, { headers: { cookie: `${remember.name}=${remember.value}` } }),
    );
    expect(stolen.status).toBe(401);
    expect(stolen.headers.getSetCookie().some((l) => l.startsWith(`${remember.name}=;`))).toBe(
      true,
    );
    expect(events.filter((e) => e.type === 'remember-me-used')).toEqual([]);
    expect(events.find((e) => e.type === 'device-binding-refused')).toMatchObject({
      reason: 'remember-me',
      userId: 'alice',
    });
    // The device itself carries on, bound.
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
  });

  it('on its own device, once the bound session is over, the refresh resumes it beside a proof: a new session, bound to the same key', async () => {
    const { browser, clock, events } = await rememberedAndBound();
    const before = only(browser.sessions);
    const oldRemember = rememberCookie(browser)!.value;
    clock.advance('9h'); // past the absolute timeout of the bound session
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
    // The browser's DBSC session carried on (same identifier, same key); the remember-me token rotated.
    expect(only(browser.sessions).id).toBe(before.id);
    expect(browser.log.map((x) => [x.kind, x.status]).slice(-2)).toEqual([
      ['refresh', 403],
      ['refresh', 200],
    ]);
    expect(rememberCookie(browser)!.value).not.toBe(oldRemember);
    expect(events.filter((e) => e.type === 'remember-me-used')).toHaveLength(1);
    // Only the browser's stale challenge from hours ago was refused (answered with a fresh one).
    const refused = events.flatMap((e) => (e.type === 'device-binding-refused' ? [e.reason] : []));
    expect(refused).toEqual(['challenge']);
    // The long-lived cookie of the new session is scoped to the refresh endpoint again.
    expect(browser.jar.get('__Secure-session')?.path).toBe('/dbsc/refresh');
    expect(browser.jar.get('__Host-session')).toBeUndefined();
  });

  it('a copied remember-me cookie at the refresh endpoint, with a proof by another key, resumes nothing', async () => {
    const { browser, clock, fetch, events } = await rememberedAndBound();
    const session = only(browser.sessions);
    const remember = rememberCookie(browser)!;
    clock.advance('9h');
    const cookie = `${remember.name}=${remember.value}`;
    const first = await fetch(refresh(browser, session.id, undefined, cookie));
    expect(first.status).toBe(403);
    const c = readChallenge(first.headers.get('secure-session-challenge'))!;
    const thief = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const second = await fetch(
      refresh(browser, session.id, await signDbscProof('ES256', thief, c.challenge, false), cookie),
    );
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ continue: false });
    expect(
      second.headers
        .getSetCookie()
        .some((l) => l.startsWith('__Host-session-bound=') && !/Max-Age=0/.test(l)),
    ).toBe(false);
    expect(events.some((e) => e.type === 'remember-me-used')).toBe(false);
    expect(events.find((e) => e.type === 'device-binding-refused')).toMatchObject({
      reason: 'proof',
    });
    // The real device still resumes with its own key.
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: true } });
  });

  it('a browser that never registered (no DBSC) keeps remember-me as before', async () => {
    const app = dbscApp({ ...remembering, deviceBinding: 'offered' });
    const browser = new DbscBrowser({
      fetch: app.fetch,
      now: () => app.clock.now(),
      dbsc: false,
    });
    await browser.fetch(`${ORIGIN}/login?remember`, { method: 'POST' });
    expect(browser.sessions.size).toBe(0);
    app.clock.advance('9h');
    expect(await me(browser)).toEqual({ status: 200, body: { user: 'alice', bound: false } });
    expect(app.events.some((e) => e.type === 'remember-me-used')).toBe(true);
  });
});

describe('DBSC in the monitor', () => {
  it('flags a copied long-lived cookie and a foreign-key proof as device-binding-theft; counts skips', async () => {
    const { browser, fetch, events, clock } = await signedIn();
    const monitor = createMonitor({ clock });
    const stolen = browser.jar.get('__Secure-session')!.value;
    await fetch(new Request(`${ORIGIN}/me`, { headers: { cookie: `__Host-session=${stolen}` } }));
    const session = only(browser.sessions);
    const c = readChallenge(
      (await fetch(refresh(browser, session.id))).headers.get('secure-session-challenge'),
    )!;
    const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    await fetch(
      refresh(browser, session.id, await signDbscProof('ES256', other, c.challenge, false)),
    );
    browser.skip = 'quota_exceeded';
    browser.jar.delete('__Host-session-bound', '/');
    await browser.fetch(`${ORIGIN}/me`);
    for (const e of events) monitor.observe(e);
    // Two refusals of one session within the quiet period are one episode.
    const refused = events.flatMap((e) => (e.type === 'device-binding-refused' ? [e.reason] : []));
    expect(refused).toEqual(['long-lived-cookie', 'proof']);
    expect(monitor.anomalies().map((a) => a.kind)).toEqual(['device-binding-theft']);
    expect(monitor.totals()['device-binding-skipped']).toBe(1);
  });
});

describe('DBSC configuration', () => {
  const policy = { idleTimeout: '30m', absoluteTimeout: '8h' } as const;

  it('refuses a half-configured pair, a second engine, and a store without consume', () => {
    const store = new MemoryStore();
    expect(() => createLatchkey({ policy, store, deviceBinding: deviceBoundSessions() })).toThrow(
      /policy.deviceBinding is 'off'/,
    );
    expect(() =>
      createLatchkey({ policy: { ...policy, deviceBinding: 'offered' }, store }),
    ).toThrow(/no deviceBinding is given/);
    const dbsc = deviceBoundSessions();
    createLatchkey({ policy: { ...policy, deviceBinding: 'offered' }, store, deviceBinding: dbsc });
    expect(() =>
      createLatchkey({
        policy: { ...policy, deviceBinding: 'offered' },
        store,
        deviceBinding: dbsc,
      }),
    ).toThrow(/already attached/);
    const noConsume: SessionStore = {
      name: 'no-consume',
      get: (k) => store.get(k),
      set: (k, v, t) => store.set(k, v, t),
      delete: (k) => store.delete(k),
    };
    expect(() =>
      createLatchkey({
        policy: { ...policy, deviceBinding: 'offered' },
        store: noConsume,
        deviceBinding: deviceBoundSessions(),
      }),
    ).toThrow(StoreCapabilityError);
  });

  it('refuses bad options with the field named', () => {
    expect(() => deviceBoundSessions({ boundCookieLifetime: '2h' })).toThrow(/boundCookieLifetime/);
    expect(() => deviceBoundSessions({ refreshPath: 'refresh' })).toThrow(/refreshPath/);
    expect(() => deviceBoundSessions({ refreshPath: '/x', registrationPath: '/x' })).toThrow(
      /differ/,
    );
    expect(() => deviceBoundSessions({ algorithms: ['HS256' as never] })).toThrow(/algorithms/);
    expect(() => definePolicy({ ...policy, deviceBinding: 'yes' as never })).toThrow(
      /deviceBinding/,
    );
  });

  it('says so in the policy document', () => {
    const { latchkey } = dbscApp({ deviceBinding: 'required' });
    expect(latchkey.describePolicy()).toMatch(/Device binding \(DBSC\).*most sensitive pages/);
    const plain = createLatchkey({ policy, store: new MemoryStore() });
    expect(plain.describePolicy()).not.toMatch(/Device binding/);
  });

  it('answers only its own paths, and only POST', async () => {
    const { fetch, dbsc } = dbscApp();
    expect(await dbsc.handle(new Request(`${ORIGIN}/elsewhere`))).toBeNull();
    const get = await fetch(new Request(`${ORIGIN}/dbsc/refresh`));
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });
});
