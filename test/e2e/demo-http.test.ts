/**
 * The demo's HTTP contract (issue: "tests and users rely on it"), against the
 * real app on a free port with the default store (SQLite in a temp folder):
 * pages, login, the JSON API, devices, step-up, tokens, the playground, CSRF,
 * and a restart. The clock is moved through `/__demo/clock`, never waited for.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type RunningDemo } from '../../examples/demo/demo.js';
import { Agent, ALICE, BOB, MINUTE, parseSetCookie } from './agent.js';

let demo: RunningDemo;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
  demo = await startDemo({ port: 0, dataDir });
});
afterAll(async () => {
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const agent = (ua?: string) => new Agent(demo.origin, ua);
const advance = (ms: number) => agent().post('/__demo/clock', { advanceMs: ms });
const setPreset = async (preset: string) => {
  const r = await agent().post('/api/policy', { preset });
  expect(r.status).toBe(200);
};
async function signedIn(user: readonly [string, string] = ALICE, extra = {}) {
  const a = agent();
  const r = await a.login(user[0], user[1], extra);
  expect(r.status).toBe(200);
  return a;
}

describe('pages', () => {
  it.each(['/', '/devices', '/transfer'])(
    '%s without a session: 303 to /login with the page to come back to',
    async (path) => {
      for (const accept of ['text/html', '*/*']) {
        const r = await agent().get(path, { accept });
        expect(r.status).toBe(303);
        expect(r.headers.get('location')).toBe(`/login?returnTo=${encodeURIComponent(path)}`);
      }
    },
  );

  it('the login page shows the demo users and offers Remember me under productivity', async () => {
    const page = await (await agent().get('/login', { accept: 'text/html' })).text();
    expect(page).toContain('correct horse battery staple');
    expect(page).toContain('hunter2hunter2');
    expect(page).toContain('id="remember"');
    // Nothing on the page comes from another origin.
    expect(page).not.toMatch(/(?:src|href|action)="(?:https?:)?\/\//);
  });

  it('a form login goes back to returnTo with a session cookie; a hostile returnTo goes home', async () => {
    for (const [returnTo, expected] of <const>[
      ['/devices', '/devices'],
      ['https://evil.example/', '/'],
      ['//evil.example', '/'],
    ]) {
      const a = agent();
      const r = await a.fetch('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ username: 'alice', password: ALICE[1], returnTo }),
      });
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(expected);
      expect(a.jar.has('lk_productivity')).toBe(true);
      const page = await a.get(expected, { accept: 'text/html' });
      expect(page.status).toBe(200);
    }
  });
});

describe('login', () => {
  it('JSON: 200 { user } with an HttpOnly session cookie that dies with the browser', async () => {
    const a = agent();
    const r = await a.login(...ALICE);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ user: 'alice', preset: 'productivity' });
    const cookie = parseSetCookie(r.headers.getSetCookie()[0]!);
    expect(cookie.name).toBe('lk_productivity');
    expect(cookie.attributes).toContain('HttpOnly');
    expect(cookie.maxAge).toBeUndefined();
  });

  it.each([
    ['a wrong password', 'alice', 'hunter2hunter2'],
    ['an unknown user', 'mallory', 'correct horse battery staple'],
    ['an empty form', '', ''],
  ])('%s: 401 and no session cookie', async (_, username, password) => {
    const r = await agent().login(username, password);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: 'invalid_credentials' });
    expect(r.headers.getSetCookie().filter((c) => !/max-age=0/i.test(c))).toEqual([]);
  });

  it('an unreadable body is a 400, and a garbage cookie is just signed out (401, never 500)', async () => {
    const bad = await agent().fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(bad.status).toBe(400);
    for (const cookie of [
      'lk_productivity=%%%',
      'lk_banking=' + 'A'.repeat(5000),
      'lk_remember=x.y',
    ]) {
      const r = await agent().get('/api/me', { cookie });
      expect(r.status).toBe(401);
    }
  });
});

describe('GET /api/me', () => {
  it('reports the session with its deadlines and auth time', async () => {
    const a = await signedIn();
    const me = await (await a.get('/api/me')).json();
    expect(me).toMatchObject({ user: 'alice', preset: 'productivity', viaRememberMe: false });
    expect(me.idleExpiresAt - me.createdAt).toBe(30 * MINUTE);
    expect(me.absoluteExpiresAt - me.createdAt).toBe(24 * 60 * MINUTE);
    expect(typeof me.authTime).toBe('number');
  });

  it('401 unauthenticated without a session, idle after the idle timeout', async () => {
    expect(await (await agent().get('/api/me')).json()).toEqual({
      error: 'session_expired',
      reason: 'unauthenticated',
    });
    const a = await signedIn();
    await advance(31 * MINUTE);
    const r = await a.get('/api/me');
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: 'session_expired', reason: 'idle' });
  });

  it('the absolute cap ends a busy session (banking: 1 h however active)', async () => {
    await setPreset('banking');
    try {
      const a = await signedIn();
      for (let i = 0; i < 6; i++) {
        await advance(9 * MINUTE);
        expect((await a.get('/api/me')).status).toBe(200);
      }
      await advance(9 * MINUTE);
      expect(await (await a.get('/api/me')).json()).toEqual({
        error: 'session_expired',
        reason: 'absolute',
      });
    } finally {
      await setPreset('productivity');
    }
  });

  it('with Remember me, an idle-expired session comes back silently and says so', async () => {
    const a = await signedIn(ALICE, { remember: true });
    expect(a.jar.has('lk_remember')).toBe(true);
    await advance(31 * MINUTE);
    const me = await (await a.get('/api/me')).json();
    expect(me).toMatchObject({ user: 'alice', viaRememberMe: true });
    const { events } = await (await agent().get('/api/events')).json();
    expect(events.map((e: { type: string }) => e.type)).toContain('remember-me-used');
  });

  it('kiosk: no Remember me offered, and asking for it sets no remember-me cookie', async () => {
    await setPreset('kiosk');
    try {
      const page = await (await agent().get('/login', { accept: 'text/html' })).text();
      expect(page).not.toContain('id="remember"');
      const a = await signedIn(ALICE, { remember: true });
      expect([...a.jar.keys()]).toEqual(['lk_kiosk']);
      expect(await (await a.get('/api/me')).json()).toMatchObject({ preset: 'kiosk' });
    } finally {
      await setPreset('productivity');
    }
  });

  it('a session keeps its preset after the preset for new logins changes', async () => {
    const a = await signedIn();
    await setPreset('banking');
    try {
      expect(await (await a.get('/api/me')).json()).toMatchObject({ preset: 'productivity' });
      // A new login moves this browser to the new preset and ends its old session.
      const old = a.cookieHeader;
      expect((await a.login(...ALICE)).status).toBe(200);
      expect(await (await a.get('/api/me')).json()).toMatchObject({ preset: 'banking' });
      expect(a.jar.has('lk_productivity')).toBe(false);
      expect((await agent().get('/api/me', { cookie: old })).status).toBe(401);
    } finally {
      await setPreset('productivity');
    }
  });
});

describe('sessions and devices', () => {
  it('lists the user’s sessions with the current one marked; revoking one signs that browser out', async () => {
    const laptop = await signedIn();
    const phone = new Agent(demo.origin, 'phone');
    await phone.login(...ALICE);
    const { sessions } = await (await laptop.get('/api/sessions')).json();
    const mine = sessions.filter((s: { kind: string }) => s.kind === 'session');
    const current = mine.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    const phoneRow = mine.find((s: { userAgent: string }) => s.userAgent === 'phone');
    expect(phoneRow).toMatchObject({ kind: 'session', current: false });
    expect(Object.keys(phoneRow).sort()).toEqual(
      expect.arrayContaining(['id', 'kind', 'current', 'createdAt', 'lastSeenAt', 'userAgent']),
    );
    const r = await laptop.fetch(`/api/sessions/${phoneRow.id}`, { method: 'DELETE' });
    expect(r.status).toBe(200);
    expect(await (await phone.get('/api/me')).json()).toEqual({
      error: 'session_expired',
      reason: 'revoked',
    });
    expect((await laptop.get('/api/me')).status).toBe(200);
  });

  it('revoking a remembered device stops it signing back in', async () => {
    const laptop = await signedIn();
    const phone = new Agent(demo.origin, 'remembered phone');
    await phone.login(...ALICE, { remember: true });
    const { sessions } = await (await laptop.get('/api/sessions')).json();
    const device = sessions.find(
      (s: { kind: string; userAgent: string }) =>
        s.kind === 'remembered-device' && s.userAgent === 'remembered phone',
    );
    expect((await laptop.fetch(`/api/sessions/${device.id}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    await advance(31 * MINUTE);
    expect((await phone.get('/api/me')).status).toBe(401);
  });

  it('another user’s handle or an unknown one cannot be revoked (404)', async () => {
    const alice = await signedIn();
    const bob = await signedIn(BOB);
    const { sessions } = await (await bob.get('/api/sessions')).json();
    for (const id of [sessions[0].id, 'no-such-handle']) {
      const r = await alice.fetch(`/api/sessions/${id}`, { method: 'DELETE' });
      expect(r.status).toBe(404);
    }
    expect((await bob.get('/api/me')).status).toBe(200);
  });

  it('logout ends the session on the server: the old cookie replayed gets 401', async () => {
    const a = await signedIn();
    const copied = a.cookieHeader;
    const r = await a.post('/logout');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('no-store');
    expect(a.jar.has('lk_productivity')).toBe(false);
    expect((await agent().get('/api/me', { cookie: copied })).status).toBe(401);
  });

  it('log out everywhere ends every session and remembered device of the user, and no one else’s', async () => {
    const laptop = await signedIn(BOB);
    const phone = await signedIn(BOB, { remember: true });
    const alice = await signedIn(ALICE);
    const remembered = phone.jar.get('lk_remember');
    expect(remembered).toBeDefined();
    expect((await laptop.post('/logout-all')).status).toBe(200);
    expect((await laptop.get('/api/me')).status).toBe(401);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await alice.get('/api/me')).status).toBe(200);
    // The phone's remember-me token was forgotten on the server: replayed, it signs no one in.
    const replay = await agent().get('/api/me', { cookie: `lk_remember=${remembered}` });
    expect(replay.status).toBe(401);
  });
});

describe('step-up', () => {
  it('a transfer needs a recent password: 403 step_up_required, then step-up, then 200', async () => {
    const a = await signedIn();
    expect((await a.post('/api/transfer', { amount: 5, to: 'bob' })).status).toBe(200);
    await advance(16 * MINUTE); // productivity asks again after 15 minutes
    const refused = await a.post('/api/transfer', { amount: 5, to: 'bob' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'step_up_required' });
    expect((await a.post('/api/step-up', { password: 'wrong' })).status).toBe(401);
    const up = await a.post('/api/step-up', { password: ALICE[1] });
    expect(up.status).toBe(200);
    const done = await a.post('/api/transfer', { amount: 5, to: 'bob' });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ ok: true, amount: 5, to: 'bob' });
  });
});

describe('tokens', () => {
  it('issues a pair, accepts the access token on /api/me, rotates, and ends the family on reuse', async () => {
    const a = agent();
    const issued = await a.post('/api/token', { username: 'bob', password: BOB[1] });
    expect(issued.status).toBe(200);
    const first = await issued.json();
    expect(first.token_type).toBe('Bearer');
    expect(first.expires_in).toBeGreaterThan(290); // the api preset: 5 minutes
    expect(first.expires_in).toBeLessThanOrEqual(300);
    const me = await a.get('/api/me', { authorization: `Bearer ${first.access_token}` });
    expect(await me.json()).toMatchObject({ user: 'bob', via: 'access-token' });

    const rotated = await a.post('/api/token/refresh', { refresh_token: first.refresh_token });
    expect(rotated.status).toBe(200);
    const second = await rotated.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);

    await advance(10_000); // past the 5 s grace in which a concurrent refresh gets the same successor
    const reused = await a.post('/api/token/refresh', { refresh_token: first.refresh_token });
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ error: 'refresh_token_reused' });
    // The whole family is revoked: the honest holder's newer token is dead too.
    const after = await a.post('/api/token/refresh', { refresh_token: second.refresh_token });
    expect(await after.json()).toMatchObject({ error: 'invalid_refresh_token', reason: 'revoked' });
    const { events, anomalies } = await (await agent().get('/api/events')).json();
    expect(
      events.some((e: { type: string; alarm: boolean }) => e.type === 'refresh-reuse' && e.alarm),
    ).toBe(true);
    // The monitor flagged it once, as refresh-reuse, on the reuse event itself.
    const reuse = events.filter((e: { type: string }) => e.type === 'refresh-reuse').at(-1);
    expect(reuse.anomalies).toEqual(['refresh-reuse']);
    expect(anomalies).toContainEqual(
      expect.objectContaining({ kind: 'refresh-reuse', userId: 'bob', at: reuse.at }),
    );
  });

  it('wrong credentials get no tokens; a bad bearer token is 401 invalid_token', async () => {
    expect((await agent().post('/api/token', { username: 'bob', password: 'x' })).status).toBe(401);
    const r = await agent().get('/api/me', { authorization: 'Bearer not-a-token' });
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: 'invalid_token' });
  });
});

describe('playground routes', () => {
  it('GET/POST /api/policy switch the preset for new logins; an unknown one is a 400', async () => {
    expect(await (await agent().get('/api/policy')).json()).toMatchObject({
      preset: 'productivity',
      presets: ['banking', 'productivity', 'kiosk', 'api'],
    });
    expect((await agent().post('/api/policy', { preset: 'lax' })).status).toBe(400);
    await setPreset('api');
    expect(await (await agent().get('/api/policy')).json()).toMatchObject({ preset: 'api' });
    await setPreset('productivity');
  });

  it('GET/POST /__demo/clock read and move the demo clock forward only', async () => {
    const before = (await (await agent().get('/__demo/clock')).json()).now;
    const moved = await (await advance(60 * MINUTE)).json();
    expect(moved.now - before).toBeGreaterThanOrEqual(60 * MINUTE);
    for (const advanceMs of [-1, 0, 'soon', 10 ** 15])
      expect((await agent().post('/__demo/clock', { advanceMs })).status).toBe(400);
  });

  it('GET /api/events lists events after an id, public handles only', async () => {
    const a = await signedIn();
    const { events } = await (await agent().get('/api/events')).json();
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'created', userId: 'alice' });
    const secret = a.jar.get('lk_productivity')!;
    expect(JSON.stringify(events)).not.toContain(secret);
    const newer = await (await agent().get(`/api/events?after=${last.id}`)).json();
    expect(newer.events).toEqual([]);
  });

  it('GET /metrics serves OpenMetrics text, and a login moves the created counter by one', async () => {
    const scrape = async () => {
      const r = await agent().get('/metrics', { accept: '*/*' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(
        'application/openmetrics-text; version=1.0.0; charset=utf-8',
      );
      const text = await r.text();
      expect(text.endsWith('# EOF\n')).toBe(true);
      expect(text).toContain('# TYPE latchkey_sessions_created counter\n');
      const line = text.split('\n').find((l) => l.startsWith('latchkey_sessions_created_total '));
      return Number(line!.split(' ')[1]);
    };
    const before = await scrape();
    await signedIn(BOB);
    expect(await scrape()).toBe(before + 1);
  });

  it("GET /api/events carries the monitor's counters, and a remember-me theft shows as an anomaly", async () => {
    const a = await signedIn(ALICE, { remember: true });
    const { counters } = await (await agent().get('/api/events')).json();
    expect(counters.windowMs).toBe(5 * MINUTE);
    expect(counters.window.created).toBeGreaterThanOrEqual(1);
    expect(counters.totals.created).toBeGreaterThanOrEqual(counters.window.created);
    expect(typeof counters.activeSessions).toBe('number');

    const copied = a.jar.get('lk_remember')!;
    await advance(31 * MINUTE);
    expect(await (await a.get('/api/me')).json()).toMatchObject({ viaRememberMe: true });
    await advance(31_000); // past the grace in which a parallel request may use the old token
    const thief = agent();
    thief.jar.set('lk_remember', copied);
    expect((await thief.get('/api/me')).status).toBe(401);
    const { events, anomalies } = await (await agent().get('/api/events')).json();
    const theft = events.filter((e: { type: string }) => e.type === 'remember-me-theft');
    expect(theft).toHaveLength(1);
    expect(theft[0]).toMatchObject({
      userId: 'alice',
      alarm: true,
      anomalies: ['remember-me-theft'],
    });
    expect(anomalies.filter((x: { kind: string }) => x.kind === 'remember-me-theft')).toEqual([
      expect.objectContaining({ userId: 'alice', subject: theft[0].subject }),
    ]);
    expect(JSON.stringify({ events, anomalies })).not.toContain(copied.split('.')[1]);
  });

  it('the dashboard says which store is in use', async () => {
    const a = await signedIn();
    const page = await (await a.get('/', { accept: 'text/html' })).text();
    expect(page).toContain('SQLite (');
    expect(page).toContain(dataDir);
  });
});

describe('cross-site requests', () => {
  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
  ])('%s is refused with 403 on every state-changing route', async (_, headers) => {
    const a = await signedIn();
    for (const path of [
      '/login',
      '/logout',
      '/logout-all',
      '/api/transfer',
      '/api/policy',
      '/__demo/clock',
      '/api/token',
    ]) {
      const r = await a.post(path, {}, headers);
      expect(r.status, path).toBe(403);
    }
    expect((await a.get('/api/me')).status).toBe(200); // and nothing was logged out
  });
});

describe('restart', () => {
  it('sessions and access tokens survive a restart on the same data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-demo-restart-'));
    try {
      let app = await startDemo({ port: 0, dataDir: dir });
      const a = new Agent(app.origin);
      await a.login(...ALICE);
      const token = await (
        await a.post('/api/token', { username: 'bob', password: BOB[1] })
      ).json();
      await app.close();
      app = await startDemo({ port: 0, dataDir: dir });
      try {
        const again = new Agent(app.origin);
        for (const [k, v] of a.jar) again.jar.set(k, v);
        expect(await (await again.get('/api/me')).json()).toMatchObject({ user: 'alice' });
        const me = await again.get('/api/me', {
          authorization: `Bearer ${token.access_token}`,
          cookie: '',
        });
        expect(await me.json()).toMatchObject({ user: 'bob' });
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
