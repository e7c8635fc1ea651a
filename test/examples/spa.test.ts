// examples/spa in process with a ManualClock: the token routes over HTTP (rotation, reuse
// detection, logout), then the page in Chromium, Firefox and WebKit through test/browser's harness.
import { ManualClock } from '@latchkey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startServer } from '../../examples/spa/app.js';
import {
  launchChromium,
  launchFirefox,
  launchWebKit,
  type Engine,
  type Tab,
} from '../browser/engines.js';
import { waitFor } from '../browser/until.js';
import { DEMO_PASSWORD } from './smoke.js';

const MINUTE = 60_000;

interface Running {
  baseUrl: string;
  origin: string;
  clock: ManualClock;
  /** Refreshes the issuer carried out (its `token-refreshed` events). */
  refreshes(): number;
  stop(): Promise<void>;
}

/** Started at the real time: WebKit honours a cookie's `Expires`, which comes from this clock. */
async function start(): Promise<Running> {
  const clock = new ManualClock(Date.now());
  let refreshes = 0;
  const app = await createApp({
    clock,
    warn: () => {},
    onEvent: (event) => void (event.type === 'token-refreshed' && refreshes++),
  });
  const running = await startServer(app, 0);
  return {
    baseUrl: running.url,
    // The browsers load the page from localhost (a secure context, as in test/browser/app.ts).
    origin: `http://localhost:${running.port}`,
    clock,
    refreshes: () => refreshes,
    stop: running.close,
  };
}

describe('examples/spa over HTTP', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.stop());

  const post = (
    path: string,
    {
      cookie,
      bearer,
      body,
      origin = app.baseUrl,
    }: { cookie?: string; bearer?: string; body?: unknown; origin?: string | null } = {},
  ) =>
    fetch(app.baseUrl + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(origin ? { origin } : {}),
        ...(cookie ? { cookie } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const me = (bearer?: string) =>
    fetch(`${app.baseUrl}/api/me`, {
      headers: {
        accept: 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
    });
  /** The `name=value` of the refresh cookie a response sets (exactly one Set-Cookie). */
  const refreshCookie = (res: Response) => {
    const lines = res.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };
  const pair = (line: string) => line.split(';')[0]!;
  const cleared = (res: Response) =>
    expect(res.headers.getSetCookie().join('\n')).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
  async function login(username: string) {
    const res = await post('/auth/login', { body: { username, password: DEMO_PASSWORD } });
    expect(res.status).toBe(200);
    const line = refreshCookie(res);
    const body = (await res.json()) as Record<string, unknown>;
    return { accessToken: body.accessToken as string, body, line, cookie: pair(line) };
  }

  it('serves the page under a CSP of its own origin, with the client bundled in', async () => {
    const page = await fetch(`${app.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'(;|$)/);
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${app.baseUrl}/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('/auth/refresh');
  });

  it('refuses a wrong password and a login posted from another origin, and sets no cookie', async () => {
    const wrong = await post('/auth/login', { body: { username: 'ada', password: 'guess' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    await wrong.body?.cancel();
    const forged = await post('/auth/login', {
      body: { username: 'ada', password: DEMO_PASSWORD },
      origin: 'https://evil.example',
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie()).toEqual([]);
    await forged.body?.cancel();
  });

  it('logs in: the access token in the body, the refresh token only in an HttpOnly cookie scoped to /auth', async () => {
    const { accessToken, body, line } = await login('ada');
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn']);
    expect(body.expiresIn).toBeLessThanOrEqual(300); // presets.api: 5 minutes
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; Path=\/auth(;|$)/);
    expect(line).toMatch(/; SameSite=Strict/i);
    expect(JSON.stringify(body)).not.toContain(pair(line).split('=')[1]);
    const res = await me(accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: 'ada' });
    const anonymous = await me();
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
  });

  it('an expired access token is refreshed with the cookie; the old refresh token replayed is refused and ends the family', async () => {
    const first = await login('grace');
    app.clock.advance(5 * MINUTE + 1000);
    const stale = await me(first.accessToken);
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ error: 'invalid_token', reason: 'expired' });

    const refreshed = await post('/auth/refresh', { cookie: first.cookie });
    expect(refreshed.status).toBe(200);
    const rotated = pair(refreshCookie(refreshed));
    expect(rotated).not.toBe(first.cookie);
    const { accessToken } = (await refreshed.json()) as { accessToken: string };
    expect(accessToken).not.toBe(first.accessToken);
    expect(await (await me(accessToken)).json()).toEqual({ user: 'grace' });

    // Someone replays the old refresh token (a stolen copy): refused, and the family is revoked,
    // so the legitimate holder's newer tokens stop working too (RFC 9700 §4.14.2).
    app.clock.advance(10_000); // past the 5 s grace for concurrent refreshes
    const replayed = await post('/auth/refresh', { cookie: first.cookie });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ error: 'session_expired', reason: 'revoked' });
    cleared(replayed);
    const after = await post('/auth/refresh', { cookie: rotated });
    expect(after.status).toBe(401);
    await after.body?.cancel();
    const revoked = await me(accessToken);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: 'invalid_token', reason: 'revoked' });
  });

  it('logout ends the family and the access token, and clears the cookie; a refresh after it is refused', async () => {
    const { accessToken, cookie } = await login('ada');
    const out = await post('/auth/logout', { cookie, bearer: accessToken });
    expect(out.status).toBe(200);
    cleared(out);
    await out.body?.cancel();
    const refresh = await post('/auth/refresh', { cookie });
    expect(refresh.status).toBe(401);
    expect(await refresh.json()).toEqual({ error: 'session_expired', reason: 'revoked' });
    const res = await me(accessToken);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('refuses a refresh from another origin or with no origin at all, without using the token up', async () => {
    const { cookie } = await login('ada');
    for (const origin of ['https://evil.example', null]) {
      const res = await post('/auth/refresh', { cookie, origin });
      expect(res.status, String(origin)).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
      await res.body?.cancel();
    }
    const own = await post('/auth/refresh', { cookie });
    expect(own.status).toBe(200);
    await own.body?.cancel();
  });
});

const ENGINES: Array<[string, () => Promise<Engine>]> = [
  ['chromium', launchChromium],
  ['firefox', launchFirefox],
  ['webkit', launchWebKit],
];

for (const [name, launch] of ENGINES) {
  describe(`examples/spa in ${name}`, () => {
    let app: Running;
    let engine: Engine;
    let tab: Tab;
    beforeAll(async () => {
      // allSettled: if one fails to start, afterAll still stops the other.
      const [a, e] = await Promise.allSettled([start(), launch()]);
      if (a.status === 'fulfilled') app = a.value;
      if (e.status === 'fulfilled') engine = e.value;
      for (const started of [a, e]) if (started.status === 'rejected') throw started.reason;
    });
    afterAll(async () => {
      await tab?.close().catch(() => {});
      await engine?.close();
      await app?.stop();
    });

    const text = (id: string) =>
      tab.evaluate<string | null>(
        `document.getElementById(${JSON.stringify(id)})?.textContent ?? null`,
      );
    const visible = (id: string) =>
      tab.evaluate<boolean>(`!document.getElementById(${JSON.stringify(id)}).hidden`);
    const click = (id: string) =>
      tab.evaluate(`(document.getElementById(${JSON.stringify(id)}).click(), true)`);
    const shows = (id: string, wanted: string) =>
      waitFor(
        () => text(id),
        (t) => t === wanted,
      );
    async function load() {
      await tab.goto(`${app.origin}/`);
      await waitFor(
        () => tab.evaluate<boolean>("document.readyState === 'complete'"),
        (v) => v === true,
      );
    }

    it('signs in through the form, refreshes silently once the access token expired, and logs out', async () => {
      tab = await engine.newTab();
      await load();
      await shows('status', 'Signed out.');
      expect(await visible('login')).toBe(true);

      await tab.evaluate(`(() => {
        document.getElementById('username').value = 'ada';
        document.getElementById('password').value = ${JSON.stringify(DEMO_PASSWORD)};
        document.getElementById('sign-in').click();
        return true;
      })()`);
      await shows('user', 'ada');
      expect(await text('status')).toBe('Signed in.');
      expect(await visible('login')).toBe(false);
      // The refresh token is out of the page's reach, and no token is in web storage.
      expect(await tab.evaluate<string>('document.cookie')).not.toContain('refresh=');
      expect(await tab.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
      const firstExpiry = await text('expires');

      // The access token expires; the next click's two parallel API calls share one refresh.
      app.clock.advance(6 * MINUTE);
      const before = app.refreshes();
      await click('reload');
      await waitFor(
        () => text('expires'),
        (t) => t !== firstExpiry,
      );
      expect(app.refreshes() - before).toBe(1);
      expect(await text('user')).toBe('ada');
      expect(await text('status')).toBe('Signed in.');

      // A reload of the page keeps no token in memory: it resumes from the refresh cookie.
      await load();
      await shows('user', 'ada');

      await click('logout');
      await shows('status', 'Signed out.');
      expect(await visible('login')).toBe(true);
      expect(await visible('signed-in')).toBe(false);
      // Signed out on the server too: the cookie is gone, and a reload stays signed out.
      expect((await engine.cookies(app.origin)).map((c) => c.name)).not.toContain('refresh');
      await load();
      await shows('status', 'Signed out.');
    });
  });
}
