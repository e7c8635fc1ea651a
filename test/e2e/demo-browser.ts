/**
 * The demo in a real browser engine: one scenario list, run by a three-line
 * file per engine (Chromium, Firefox, WebKit) through test/browser/engines.ts.
 * A second browser of the same engine stands for another device and for the
 * browser reopened from its saved persistent cookies. The demo's clock moves
 * through `/__demo/clock`, never by waiting.
 */

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type RunningDemo } from '../../examples/demo/demo.js';
import type { Engine, Tab } from '../browser/engines.js';
import { waitFor } from '../browser/until.js';
import { ALICE, BOB, MINUTE } from './agent.js';

const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;

export function demoSuite(launch: () => Promise<Engine>): void {
  let demo: RunningDemo;
  let dataDir: string;
  let browser: Engine;
  let other: Engine;
  const tabs: Tab[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-e2e-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    [demo, browser, other] = await Promise.all([
      startDemo({ port: 0, dataDir }),
      launch(),
      launch(),
    ]);
  });
  afterEach(async () => {
    for (const tab of tabs.splice(0)) await tab.close().catch(() => {});
    await browser.clearCookies(demo.origin);
    await other.clearCookies(demo.origin);
    await setPreset('productivity');
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), other?.close()]);
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(demo.origin + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  const advance = async (ms: number) =>
    expect((await post('/__demo/clock', { advanceMs: ms })).status).toBe(200);
  const setPreset = async (preset: string) =>
    expect((await post('/api/policy', { preset })).status).toBe(200);

  async function open(engine: Engine, path: string): Promise<Tab> {
    const tab = await engine.newTab('window'); // screenshots need a visible page in WebKit
    tabs.push(tab);
    await tab.goto(demo.origin + path);
    await loaded(tab);
    return tab;
  }
  const loaded = (tab: Tab) =>
    waitFor(
      () =>
        tab.evaluate<boolean>(
          "document.readyState === 'complete' && !!document.querySelector('main')",
        ),
      (v) => v === true,
    );
  const path = async (tab: Tab) => {
    const url = new URL(await tab.url());
    return url.pathname + url.search;
  };
  /** Fill the login form the person sees and submit it; resolves once the next page has loaded. */
  async function signIn(tab: Tab, [user, password]: readonly [string, string], remember = false) {
    expect((await path(tab)).startsWith('/login')).toBe(true);
    await tab.evaluate(`(() => {
      const f = document.getElementById('login-form');
      f.elements.username.value = ${JSON.stringify(user)};
      f.elements.password.value = ${JSON.stringify(password)};
      if (f.elements.remember) f.elements.remember.checked = ${remember};
      setTimeout(() => f.requestSubmit(), 0);
      return true;
    })()`);
    await waitFor(
      () => path(tab),
      (p) => !p.startsWith('/login'),
    );
    await loaded(tab);
  }
  const text = (tab: Tab, selector: string) =>
    tab.evaluate<string | null>(
      `document.querySelector(${JSON.stringify(selector)})?.textContent?.trim() ?? null`,
    );
  const apiStatus = (tab: Tab) =>
    tab.evaluate<number>(
      "fetch('/api/me', { headers: { accept: 'application/json' } }).then((r) => r.status)",
    );

  it('signs in from the login page; the session cookie is HttpOnly, invisible to document.cookie, and a reload keeps the session', async () => {
    const tab = await open(browser, '/');
    expect(await path(tab)).toBe('/login?returnTo=%2F');
    await signIn(tab, ALICE);
    expect(await path(tab)).toBe('/');
    expect(await text(tab, '#user')).toBe('alice');
    const cookies = await browser.cookies(demo.origin);
    const session = cookies.find((c) => c.name === 'lk_productivity');
    expect(session).toMatchObject({ httpOnly: true });
    expect(await tab.evaluate<string>('document.cookie')).not.toContain('lk_productivity');
    await tab.goto(demo.origin + '/');
    await loaded(tab);
    expect(await path(tab)).toBe('/');
    expect(await text(tab, '#user')).toBe('alice');
    // Live countdowns on the demo clock.
    await waitFor(
      () => text(tab, '#idle'),
      (t) => /in 29 min|in 30 min/.test(t ?? ''),
    );
    await tab.screenshot(join(SCREENSHOTS, `${browser.name}-dashboard.png`));
    await tab.goto(demo.origin + '/devices');
    await loaded(tab);
    expect(
      await tab.evaluate<number>("document.querySelectorAll('#devices tr.current').length"),
    ).toBe(1);
    await tab.screenshot(join(SCREENSHOTS, `${browser.name}-devices.png`));
  });

  it('with Remember me, the browser reopened with its saved persistent cookies is still signed in, and says it came back through remember-me', async () => {
    const tab = await open(browser, '/login');
    await signIn(tab, BOB, true);
    // What survives a browser restart: only cookies with an expiry. The session cookie dies with the browser.
    const saved = (await browser.cookies(demo.origin)).filter((c) => c.expires !== undefined);
    expect(saved.map((c) => c.name)).toEqual(['lk_remember']);
    await other.addCookies(demo.origin, saved);
    const reopened = await open(other, '/devices');
    expect(await path(reopened)).toBe('/devices');
    await reopened.goto(demo.origin + '/');
    await loaded(reopened);
    expect(await text(reopened, '#via')).toMatch(/^yes/);
  });

  it.each(['productivity', 'kiosk'])(
    'without Remember me (%s), the reopened browser is signed out',
    async (preset) => {
      await setPreset(preset);
      const tab = await open(browser, '/login');
      if (preset === 'kiosk') expect(await text(tab, '#no-remember')).toContain('never remembers');
      await signIn(tab, BOB);
      expect(await apiStatus(tab)).toBe(200);
      const saved = (await browser.cookies(demo.origin)).filter((c) => c.expires !== undefined);
      expect(saved).toEqual([]);
      await other.addCookies(demo.origin, saved);
      const reopened = await open(other, '/');
      expect(await path(reopened)).toBe('/login?returnTo=%2F');
    },
  );

  it('after logout, the old session cookie replayed from a fresh profile gets 401', async () => {
    const tab = await open(browser, '/login');
    await signIn(tab, ALICE);
    const copied = (await browser.cookies(demo.origin)).filter((c) => c.name === 'lk_productivity');
    expect(copied).toHaveLength(1);
    await tab.evaluate("setTimeout(() => document.getElementById('logout').click(), 0), true");
    await waitFor(
      () => path(tab),
      (p) => p.startsWith('/login'),
    );
    await other.addCookies(demo.origin, copied);
    const thief = await open(other, '/login');
    expect(await apiStatus(thief)).toBe(401);
  });

  it('past the idle timeout a protected page lands on login, and signing in returns to that page', async () => {
    const tab = await open(browser, '/login');
    await signIn(tab, ALICE);
    await advance(31 * MINUTE);
    await tab.goto(demo.origin + '/transfer');
    await loaded(tab);
    expect(await path(tab)).toBe('/login?returnTo=%2Ftransfer&reason=idle');
    expect(await text(tab, '#notice')).toContain('inactivity');
    await signIn(tab, ALICE);
    expect(await path(tab)).toBe('/transfer');
  });

  it('revoking a device from one browser signs the other out on its next request', async () => {
    const laptop = await open(browser, '/login');
    await signIn(laptop, BOB);
    const phone = await open(other, '/login');
    await signIn(phone, BOB);
    await laptop.goto(demo.origin + '/devices');
    await loaded(laptop);
    const others = await laptop.evaluate<number>(
      "document.querySelectorAll('#devices tr[data-kind=session]:not(.current)').length",
    );
    expect(others).toBeGreaterThanOrEqual(1);
    // The phone's session is the most recently used one besides this: the first non-current row.
    await laptop.evaluate(
      "setTimeout(() => document.querySelector('#devices tr[data-kind=session]:not(.current) button').click(), 0), true",
    );
    await waitFor(
      () => apiStatus(phone),
      (s) => s === 401,
    );
    await phone.goto(demo.origin + '/');
    await loaded(phone);
    expect(await path(phone)).toBe('/login?returnTo=%2F&reason=revoked');
    expect(await apiStatus(laptop)).toBe(200);
  });

  it('the transfer asks for step-up when the sign-in is too old, then goes through', async () => {
    const tab = await open(browser, '/login');
    await signIn(tab, ALICE);
    await advance(16 * MINUTE); // productivity: step-up after 15 minutes; the session is still live
    await tab.goto(demo.origin + '/transfer');
    await loaded(tab);
    await tab.evaluate("setTimeout(() => document.getElementById('transfer').click(), 0), true");
    await waitFor(
      () => tab.evaluate<boolean>("!document.getElementById('step-up').hidden"),
      (v) => v === true,
    );
    await tab.evaluate(`(() => {
      document.getElementById('step-up-password').value = ${JSON.stringify(ALICE[1])};
      setTimeout(() => document.getElementById('confirm').click(), 0);
      return true;
    })()`);
    expect(
      await waitFor(
        () => text(tab, '#transfer-result'),
        (t) => /Transferred|Refused/.test(t ?? ''),
      ),
    ).toBe('Transferred 100 to bob.');
  });

  it('no page requests anything from another origin', async () => {
    const tab = await open(browser, '/login');
    await signIn(tab, ALICE);
    for (const page of ['/', '/devices', '/transfer', '/spa', '/login']) {
      await tab.goto(demo.origin + page);
      await loaded(tab);
      const urls = await tab.evaluate<string[]>(
        "[location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]",
      );
      expect(urls.length).toBeGreaterThan(2); // the page, its stylesheet, its scripts
      expect(
        urls.filter((u) => !u.startsWith(demo.origin + '/')),
        page,
      ).toEqual([]);
    }
  });

  it('the single-page app signs in with tokens, keeps no token in storage, and logging out in one tab signs the other out', async () => {
    const first = await open(browser, '/spa');
    await waitFor(
      () => text(first, '#spa-status'),
      (t) => (t ?? '').startsWith('signed-out'),
    );
    await first.evaluate(`(() => {
      document.getElementById('spa-password').value = ${JSON.stringify(ALICE[1])};
      document.getElementById('spa-sign-in').click();
      return true;
    })()`);
    await waitFor(
      () => text(first, '#spa-status'),
      (t) => (t ?? '').startsWith('signed-in'),
    );
    const second = await open(browser, '/spa');
    // The second tab resumes from the refresh cookie.
    await waitFor(
      () => text(second, '#spa-status'),
      (t) => (t ?? '').startsWith('signed-in'),
    );
    await second.evaluate("document.getElementById('spa-call').click(), true");
    expect(
      await waitFor(
        () => text(second, '#spa-result'),
        (t) => (t ?? '').length > 0,
      ),
    ).toMatch(/^200 /);
    expect(await first.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
    await first.evaluate("document.getElementById('spa-logout').click(), true");
    await waitFor(
      () => text(second, '#spa-status'),
      (t) => (t ?? '').startsWith('signed-out'),
    );
  });
}
