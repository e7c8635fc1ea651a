/**
 * The adapter scenario suite: one set of HTTP-level scenarios, run against
 * the fixture app (`app.ts`) on every adapter and runtime. A runtime entry
 * only says how to start the app and where it listens; the assertions are
 * the same everywhere (cf. tower-sessions' `route_tests!`, jose's
 * `tap/run.ts`).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from './jar.js';

/** A running fixture app. */
export interface RunningApp {
  baseUrl: string;
  stop(): Promise<void>;
}

const MINUTE = 60_000;
const SESSION = 'session'; // the development cookie name: no prefix, since the suite speaks plain HTTP

interface Call {
  body?: unknown;
  /** Send this Cookie header instead of the jar's. */
  cookie?: string;
  /** `json` (default) or `page` (a browser navigation). */
  as?: 'json' | 'page';
}

/** A client with its own cookie jar, as a browser tab would have. */
class Client {
  readonly jar = new CookieJar();
  constructor(private readonly app: () => RunningApp) {}

  async send(method: string, path: string, call: Call = {}): Promise<Response> {
    const headers = new Headers({
      accept: call.as === 'page' ? 'text/html,application/xhtml+xml' : 'application/json',
    });
    const cookie = call.cookie ?? this.jar.header();
    if (cookie !== undefined) headers.set('cookie', cookie);
    if (call.body !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(this.app().baseUrl + path, {
      method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      redirect: 'manual',
    });
    if (call.cookie === undefined) this.jar.store(response);
    return response;
  }

  async login(user: string, remember = false): Promise<Response> {
    const response = await this.send('POST', '/login', { body: { user, remember } });
    expect(response.status).toBe(200);
    return response;
  }

  get session(): string {
    const value = this.jar.get(SESSION);
    if (value === undefined) throw new Error('no session cookie in the jar');
    return value;
  }
}

async function json(response: Response): Promise<any> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return response.json();
}

/** Expect the JSON answer for a request without a usable session. */
async function expectRefused(
  response: Response,
  reason: 'idle' | 'absolute' | 'revoked' | 'unauthenticated',
): Promise<void> {
  expect(response.status).toBe(401);
  expect(await json(response)).toEqual({ error: 'session_expired', reason });
}

/**
 * Register the scenarios for one adapter on one runtime.
 *
 * @example
 * runScenarios('hono on bun', () => spawnApp('bun', 'hono'));
 */
export function runScenarios(name: string, start: () => Promise<RunningApp>): void {
  describe(`scenarios: ${name}`, () => {
    let app: RunningApp | undefined;
    const current = (): RunningApp => {
      if (!app) throw new Error(`${name}: the app did not start`);
      return app;
    };
    const client = () => new Client(current);
    const advance = async (ms: number) => {
      const response = await client().send('POST', '/__clock', { body: { advance: ms } });
      expect(response.status).toBe(200);
    };
    const storeDown = async (down: boolean) => {
      const response = await client().send('POST', '/__store', { body: { down } });
      expect(await response.json()).toEqual({ down });
    };

    beforeAll(async () => {
      app = await start();
    });
    afterAll(async () => {
      await app?.stop();
    });

    it('logs in, and the cookie alone carries the session on later requests', async () => {
      const alice = client();
      const login = await alice.login('alice');
      expect(await json(login)).toMatchObject({ user: 'alice' });
      const me = await alice.send('GET', '/me');
      expect(me.status).toBe(200);
      expect(await json(me)).toMatchObject({ user: 'alice', data: {} });
      // A different browser without the cookie is nobody.
      await expectRefused(await client().send('GET', '/me'), 'unauthenticated');
    });

    it('sends a signed-out page request to the login page with a way back', async () => {
      const response = await client().send('GET', '/me?tab=2', { as: 'page' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/login?returnTo=%2Fme%3Ftab%3D2');
    });

    it('a route that never loads the session reads nothing and sets no cookie', async () => {
      await storeDown(true);
      try {
        const response = await client().send('GET', '/public');
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('public');
        expect(response.headers.getSetCookie()).toEqual([]);
      } finally {
        await storeDown(false);
      }
    });

    it('expires after the idle timeout, and activity pushes the timeout back', async () => {
      const bob = client();
      await bob.login('bob');
      await advance(9 * MINUTE);
      expect((await bob.send('GET', '/me')).status).toBe(200); // 9 of 10 idle minutes: still in, and counted as activity
      await advance(9 * MINUTE);
      expect((await bob.send('GET', '/me')).status).toBe(200); // 18 minutes since login, 9 since last use
      await advance(10 * MINUTE + 1);
      await expectRefused(await bob.send('GET', '/me'), 'idle');
      const page = await bob.send('GET', '/me', { as: 'page' });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toMatch(/^\/login\?.*reason=idle/);
    });

    it('ends at the absolute cap however active the user is, renewing the ID on the way', async () => {
      const carol = client();
      await carol.login('carol');
      const ids = new Set([carol.session]);
      for (let minutes = 9; minutes <= 54; minutes += 9) {
        await advance(9 * MINUTE);
        const me = await carol.send('GET', '/me');
        expect(me.status, `at ${minutes} minutes`).toBe(200);
        ids.add(carol.session);
      }
      expect(ids.size).toBeGreaterThan(1); // renewed every 20 minutes; the jar followed
      await advance(9 * MINUTE); // 63 minutes: past the 60-minute cap, though last used 9 minutes ago
      await expectRefused(await carol.send('GET', '/me'), 'absolute');
    });

    it('issues a new session ID at login and refuses the old one', async () => {
      const dave = client();
      await dave.login('dave');
      const first = dave.session;
      await dave.login('dave');
      const second = dave.session;
      expect(second).not.toBe(first);
      await expectRefused(
        await dave.send('GET', '/me', { cookie: `${SESSION}=${first}` }),
        'unauthenticated',
      );
      expect((await dave.send('GET', '/me', { cookie: `${SESSION}=${second}` })).status).toBe(200);
    });

    it('never adopts a session ID the server did not issue (fixation)', async () => {
      const planted = 'A'.repeat(43);
      const victim = client();
      victim.jar.cookies.set(SESSION, planted);
      await victim.login('erin');
      expect(victim.session).not.toBe(planted);
      await expectRefused(
        await victim.send('GET', '/me', { cookie: `${SESSION}=${planted}` }),
        'unauthenticated',
      );
    });

    it('regenerates the ID on a privilege change, keeping the data and killing the old ID', async () => {
      const frank = client();
      await frank.login('frank');
      expect((await frank.send('POST', '/data', { body: { key: 'cart', value: 3 } })).status).toBe(
        200,
      );
      const before = frank.session;
      const privileged = await frank.send('POST', '/privilege');
      expect(privileged.status).toBe(200);
      expect(frank.session).not.toBe(before);
      expect(await json(await frank.send('GET', '/me'))).toMatchObject({
        user: 'frank',
        data: { cart: 3 },
      });
      await expectRefused(
        await frank.send('GET', '/me', { cookie: `${SESSION}=${before}` }),
        'unauthenticated',
      );
    });

    it('logs out on the server: the cookie is cleared and a replayed copy is refused', async () => {
      const grace = client();
      await grace.login('grace');
      const stolen = grace.session;
      const logout = await grace.send('POST', '/logout');
      expect(logout.status).toBe(200);
      expect(logout.headers.get('cache-control')).toBe('no-store');
      expect(
        logout.headers
          .getSetCookie()
          .some((c) => c.startsWith(`${SESSION}=;`) && /Max-Age=0/.test(c)),
      ).toBe(true);
      expect(grace.jar.get(SESSION)).toBeUndefined();
      await expectRefused(
        await grace.send('GET', '/me', { cookie: `${SESSION}=${stolen}` }),
        'unauthenticated',
      );
    });

    it('answers bogus and malformed cookies with 401, never a 500', async () => {
      const heidi = client();
      await heidi.login('heidi');
      const valid = heidi.session;
      const hostile = [
        `${SESSION}=garbage`,
        `${SESSION}=${'x'.repeat(10 * 1024)}`,
        `${SESSION}=%ff%fe%c0%af%ed%a0%80`,
        `${SESSION}=%E0%A4%A`,
        `${SESSION}="${valid}`,
        `${SESSION}=${valid.slice(0, -1)}!`,
        `${SESSION}=; ${SESSION}=`,
        `${SESSION}=garbage; ${SESSION}=${valid}`, // the first occurrence wins (RFC 6265bis §5.8.3 ordering)
        `;;;=;=${SESSION};${SESSION}==;`,
        Array.from({ length: 300 }, (_, i) => `c${i}=${i}`).join('; ') + `; ${SESSION}=${valid}`, // past the pair limit
      ];
      for (const cookie of hostile) {
        const response = await heidi.send('GET', '/me', { cookie });
        expect(response.status, cookie.slice(0, 80)).toBe(401);
        expect(await response.json()).toEqual({
          error: 'session_expired',
          reason: 'unauthenticated',
        });
      }
      // Junk around a valid cookie does not lose the session.
      const ok = await heidi.send('GET', '/me', {
        cookie: `a=%ff%fe; ${SESSION}=${valid}; ${SESSION}=garbage; b="`,
      });
      expect(ok.status).toBe(200);
    });

    it("sets the session cookie with the right attributes, next to the app's own cookies", async () => {
      const ivan = client();
      const login = await ivan.login('ivan');
      const cookies = login.headers.getSetCookie();
      expect(cookies).toHaveLength(2); // the app's cookie and the session's, each its own header
      expect(cookies).toContain('seen=1; Path=/; SameSite=Lax');
      const session = cookies.find((c) => c.startsWith(`${SESSION}=`))!;
      expect(session).toMatch(/; HttpOnly(;|$)/);
      expect(session).toMatch(/; SameSite=Lax(;|$)/);
      expect(session).toMatch(/; Path=\/(;|$)/);
      expect(session).toMatch(/; Max-Age=3600(;|$)/); // the absolute cap, not longer
      expect(session).not.toMatch(/Secure|Domain/i); // development mode, for plain-HTTP localhost only
      expect(login.headers.get('cache-control')).toBe('no-store');

      // With the production defaults: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain.
      const secure = await client().send('POST', '/secure-login', { body: { user: 'ivan' } });
      expect(secure.status).toBe(200);
      const [hostCookie, ...rest] = secure.headers.getSetCookie();
      expect(rest).toEqual([]);
      expect(hostCookie).toMatch(/^__Host-session=[A-Za-z0-9_-]{43}; /);
      for (const attribute of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/'])
        expect(hostCookie).toMatch(new RegExp(`; ${attribute}(;|$)`));
      expect(hostCookie).not.toMatch(/Domain=/i);
    });

    it('asks for step-up when the last authentication is too old for a sensitive action', async () => {
      const judy = client();
      await judy.login('judy');
      expect((await judy.send('GET', '/sensitive')).status).toBe(200);
      await advance(6 * MINUTE); // past the 5-minute step-up age, inside the 10-minute idle timeout
      const response = await judy.send('GET', '/sensitive');
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({ error: 'step_up_required', max_age: 300 });
      expect((await judy.send('GET', '/me')).status).toBe(200); // still signed in
    });

    it('remember-me signs the user back in after expiry, rotating the device token, but not for step-up', async () => {
      const kim = client();
      const login = await kim.login('kim', true);
      const device = [...kim.jar.cookies.keys()].find((name) => name.includes('remember'));
      expect(device, 'a device cookie next to the session cookie').toBeDefined();
      expect(login.headers.getSetCookie().find((c) => c.startsWith(`${device}=`))).toMatch(
        /; HttpOnly(;|$)/,
      );
      const firstToken = kim.jar.get(device!)!;
      const firstSession = kim.session;
      await advance(11 * MINUTE); // the session idles out; the device is remembered for a day
      const back = await kim.send('GET', '/me');
      expect(back.status).toBe(200);
      expect(await json(back)).toMatchObject({ user: 'kim' });
      expect(kim.session).not.toBe(firstSession);
      expect(kim.jar.get(device!)).not.toBe(firstToken); // rotated
      // Silent re-authentication is not authentication: sensitive actions still ask for the password.
      const sensitive = await kim.send('GET', '/sensitive');
      expect(sensitive.status).toBe(403);
      // The replaced device token used again after the grace window means a copy exists: every session of the user ends.
      await advance(31_000);
      expect((await kim.send('GET', '/me', { cookie: `${device}=${firstToken}` })).status).toBe(
        401,
      );
      expect((await kim.send('GET', '/me')).status).toBe(401);
      // Without the device cookie a plain login does not remember the device.
      const lee = client();
      await lee.login('lee');
      expect([...lee.jar.cookies.keys()].some((name) => name.includes('remember'))).toBe(false);
    });

    it('fails closed with 503 while the store is down, and keeps the user signed in', async () => {
      const mallory = client();
      await mallory.login('mallory');
      await storeDown(true);
      try {
        const me = await mallory.send('GET', '/me');
        expect(me.status).toBe(503);
        expect(me.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await json(me)).toEqual({ error: 'session_store_unavailable' });
        const page = await mallory.send('GET', '/me', { as: 'page' });
        expect(page.status).toBe(503); // not a redirect to the login page: the user is not logged out
        expect(page.headers.get('location')).toBeNull();
        expect((await mallory.send('POST', '/login', { body: { user: 'mallory' } })).status).toBe(
          503,
        );
      } finally {
        await storeDown(false);
      }
      expect(await json(await mallory.send('GET', '/me'))).toMatchObject({ user: 'mallory' });
    });
  });
}
