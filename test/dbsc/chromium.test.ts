// Real Chromium (Debian's 156) against device-bound sessions over loopback HTTPS, with the
// DBSC feature and its software keys for manual testing: registration, a refresh after the bound
// cookie goes, a refresh that must answer a 403 challenge, continue:false after logout, and a
// copied long-lived cookie refused. See docs/device-bound-sessions.md for what was measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpsApp, type HttpsApp } from './https-app.js';

const FEATURES = 'DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting';

let app: HttpsApp;
let profile: string;
let context: BrowserContext;
let page: Page;

/** Wait (real time: Chromium registers in the background) until `ok()` or 10 s. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
}

const me = (): Promise<[number, unknown]> =>
  page.evaluate(`fetch('/me').then(async (r) => [r.status, await r.json()])`);
const refreshes = () => app.hits.filter((h) => h.path === '/dbsc/refresh');

beforeAll(async () => {
  app = await startHttpsApp();
  profile = mkdtempSync(join(tmpdir(), 'latchkey-dbsc-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      `--ignore-certificate-errors-spki-list=${app.spki}`,
      `--enable-features=${FEATURES}`,
    ],
  });
  page = await context.newPage();
  await page.goto(`${app.origin}/`);
});

afterAll(async () => {
  await context?.close();
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('DBSC in real Chromium', () => {
  it('registers a software key after login and moves the session to the bound cookie', async () => {
    expect(await page.evaluate(`fetch('/login', { method: 'POST' }).then((r) => r.status)`)).toBe(
      200,
    );
    await until(() => app.hits.length > 0);
    expect(app.hits[0]).toMatchObject({ path: '/dbsc/register', proof: true, status: 200 });
    expect(app.events.find((e) => e.type === 'device-bound')).toMatchObject({ alg: 'ES256' });
    const cookies = await context.cookies([`${app.origin}/`, `${app.origin}/dbsc/refresh`]);
    expect(cookies.map((c) => `${c.name} ${c.path}`).sort()).toEqual([
      '__Host-session-bound /',
      '__Secure-session /dbsc/refresh',
    ]);
    expect(await me()).toEqual([200, { user: 'alice', bound: true }]);
  });

  it('holds a request whose bound cookie is gone until it has refreshed', async () => {
    await context.clearCookies({ name: '__Host-session-bound' });
    expect(await me()).toEqual([200, { user: 'alice', bound: true }]);
    expect(refreshes().map((h) => [h.status, h.proof])).toEqual([[200, true]]);
  });

  it('answers a 403 challenge with a new proof when its cached challenge has expired', async () => {
    await app.expireChallenges();
    await context.clearCookies({ name: '__Host-session-bound' });
    expect(await me()).toEqual([200, { user: 'alice', bound: true }]);
    expect(
      refreshes()
        .slice(1)
        .map((h) => h.status),
    ).toEqual([403, 200]);
  });

  it('refuses the long-lived cookie copied into another browser', async () => {
    const [long] = await context.cookies(`${app.origin}/dbsc/refresh`);
    const thief = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${app.spki}`],
    });
    try {
      const other = await thief.newContext();
      await other.addCookies([
        {
          name: '__Secure-session',
          value: long!.value,
          domain: '127.0.0.1',
          path: '/',
          secure: true,
          httpOnly: true,
        },
      ]);
      const tab = await other.newPage();
      await tab.goto(`${app.origin}/`);
      expect(await tab.evaluate(`fetch('/me').then((r) => r.status)`)).toBe(401);
    } finally {
      await thief.close();
    }
  });

  it('ends the browser session with continue:false after logout', async () => {
    expect(await page.evaluate(`fetch('/logout', { method: 'POST' }).then((r) => r.status)`)).toBe(
      200,
    );
    expect(await me()).toEqual([401, { reason: 'missing' }]);
    expect(JSON.parse(refreshes().at(-1)!.body)).toMatchObject({ continue: false });
    // The session is gone from Chromium: the next request is not held for a refresh.
    const before = refreshes().length;
    expect((await me())[0]).toBe(401);
    expect(refreshes().length).toBe(before);
  });
});
