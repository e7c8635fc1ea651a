/**
 * The CSRF scenarios over HTTP, one suite for every adapter (`app.ts` is the
 * app). Browsers' headers are forged with `fetch`: a sibling subdomain, a
 * `null` origin, Fetch Metadata without `Origin`, a trusted origin, safe
 * methods, and a request with no header at all, with and without cookies.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../scenarios/suite.js';
import { APP_ORIGIN, TRUSTED_ORIGIN } from './app.js';

export type { RunningApp };

/**
 * Register the CSRF scenarios for one adapter.
 *
 * @example
 * runCsrfScenarios('hono', () => listenNode(createAdaptorServer({ fetch: app.fetch })));
 */
export function runCsrfScenarios(name: string, start: () => Promise<RunningApp>): void {
  describe(`csrf: ${name}`, () => {
    let app: RunningApp | undefined;
    let cookie = '';
    const send = (method: string, path: string, headers: Record<string, string> = {}) =>
      fetch(app!.baseUrl + path, { method, headers, redirect: 'manual' });
    /** A transfer from a signed-in browser, with the headers given. */
    const transfer = (headers: Record<string, string>, method = 'POST') =>
      send(method, '/transfer', { cookie, accept: 'application/json', ...headers });
    const transfers = async (): Promise<number> =>
      ((await (await send('GET', '/transfers')).json()) as { transfers: number }).transfers;
    /** The request was refused with the typed 403, and no transfer was made. */
    const refused = async (response: Response, reason: string) => {
      const before = await transfers();
      expect(response.status).toBe(403);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ error: 'csrf_rejected', reason });
      expect(await transfers()).toBe(before);
    };

    beforeAll(async () => {
      app = await start();
      const login = await send('POST', '/login', { origin: APP_ORIGIN });
      expect(login.status).toBe(200);
      cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    });
    afterAll(async () => {
      await app?.stop();
    });

    it("a POST from the app's own origin goes through", async () => {
      const before = await transfers();
      const response = await transfer({ origin: APP_ORIGIN, 'sec-fetch-site': 'same-origin' });
      expect(response.status).toBe(200);
      expect(await transfers()).toBe(before + 1);
    });

    it('a sibling subdomain is another origin: refused', async () => {
      await refused(
        await transfer({ origin: 'https://evil.app.example', 'sec-fetch-site': 'same-site' }),
        'origin-mismatch',
      );
    });

    it('a null origin is refused', async () => {
      await refused(
        await transfer({ origin: 'null', 'sec-fetch-site': 'cross-site' }),
        'null-origin',
      );
    });

    it('Sec-Fetch-Site: cross-site without an Origin is refused', async () => {
      await refused(await transfer({ 'sec-fetch-site': 'cross-site' }, 'DELETE'), 'cross-site');
    });

    it('a cross-site HTML form post gets a text 403, not the page', async () => {
      const response = await transfer({
        origin: 'https://evil.example',
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect([response.status, response.headers.get('content-type')]).toEqual([
        403,
        'text/plain; charset=utf-8',
      ]);
    });

    it('a trusted origin goes through, though the browser calls it cross-site', async () => {
      const before = await transfers();
      const response = await transfer(
        { origin: TRUSTED_ORIGIN, 'sec-fetch-site': 'cross-site' },
        'PUT',
      );
      expect(response.status).toBe(200);
      expect(await transfers()).toBe(before + 1);
    });

    it('safe methods pass whatever their origin', async () => {
      const response = await send('GET', '/transfers', {
        cookie,
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(response.status).toBe(200);
    });

    it('no Origin, Referer or Sec-Fetch-Site: refused with cookies, left to the app without', async () => {
      await refused(await transfer({}), 'unverifiable');
      // No cookie, no ambient authority: not a forgery, so the app answers it (here: not signed in).
      const anonymous = await send('POST', '/transfer', { accept: 'application/json' });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({
        error: 'session_expired',
        reason: 'unauthenticated',
      });
    });
  });
}
