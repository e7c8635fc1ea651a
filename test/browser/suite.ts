/**
 * The browser suite, run once per engine by a three-line file each: what a
 * user of a single-page app would notice about expiry, refresh, sign-out and
 * storage, with the server's clock moved by hand (never a sleep).
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp, transferForm, type AppMode, type TestApp } from './app.js';
import { clientBundle } from './bundle.js';
import type { Engine, Tab } from './engines.js';
import { until } from './until.js';
import { dpopKey } from '../../packages/core/test/dpop-keys.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export function browserSuite(launch: () => Promise<Engine>): void {
  let engine: Engine;
  let bundle: string;
  const apps: TestApp[] = [];
  const tabs: Tab[] = [];

  beforeAll(async () => {
    [engine, bundle] = await Promise.all([launch(), clientBundle()]);
  });
  afterEach(async () => {
    for (const tab of tabs.splice(0)) await tab.close();
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await engine?.close();
  });

  async function app(mode: AppMode): Promise<TestApp> {
    const started = await startApp(mode, bundle);
    apps.push(started);
    return started;
  }
  async function open(at: TestApp, path: string): Promise<Tab> {
    const tab = await engine.newTab();
    tabs.push(tab);
    await tab.goto(at.origin + path);
    await until(
      () => tab.evaluate('!!window.test'),
      (v) => v === true,
    );
    await tab.evaluate('window.test.ready.then(() => true)');
    return tab;
  }
  const status = (tab: Tab) => tab.evaluate<string>('window.test.status()');

  it('three parallel API calls after the access token expired cause one refresh, and all succeed', async () => {
    const server = await app('token');
    const tab = await open(server, '/app/home');
    expect(await tab.evaluate("window.test.login('ada')")).toBe(200);
    server.clock.advance(6 * MINUTE); // access tokens live 5 minutes
    const before = server.refreshes();
    const statuses = await tab.evaluate<number[]>(
      "Promise.all(['/api/me?a', '/api/me?b', '/api/me?c'].map((p) => window.test.client.fetch(p).then((r) => r.status)))",
    );
    expect(statuses).toEqual([200, 200, 200]);
    expect(server.refreshes() - before).toBe(1);
    expect(await status(tab)).toBe('signed-in this-tab');
  });

  it('two tabs whose access tokens expire together refresh once between them (Web Locks)', async () => {
    const server = await app('token');
    const a = await open(server, '/app/a');
    await a.evaluate("window.test.login('ada')");
    const b = await open(server, '/app/b'); // resumes from the refresh cookie, and hands A its token
    expect(await status(b)).toBe('signed-in this-tab');
    expect(await a.evaluate<boolean>('!!navigator.locks')).toBe(true);
    server.clock.advance(6 * MINUTE);
    // The refresh is answered only once both tabs have been refused: they meet the expiry together.
    server.holdRefreshUntilRefused(2);
    const before = server.refreshes();
    await a.evaluate("window.test.start('x', '/api/me?tab=a')");
    await b.evaluate("window.test.start('x', '/api/me?tab=b')");
    const results = await Promise.all(
      [a, b].map((tab) =>
        until(
          () => tab.evaluate("window.test.result('x')"),
          (v) => v !== null,
        ),
      ),
    );
    // On failure, the request log says which tab did what.
    const log = server.requests.slice(-8).join(', ');
    expect(results, log).toEqual([200, 200]);
    expect(server.refreshes() - before, log).toBe(1);
  });

  for (const [mode, crossTab] of [
    ['token', 'auto'],
    ['cookie', 'auto'],
    ['token', 'storage'],
  ] as const) {
    it(`logout in tab A shows tab B signed out within a second, without a request from B (${mode} sessions, ${crossTab === 'auto' ? 'BroadcastChannel' : 'storage-event fallback'})`, async () => {
      const server = await app(mode);
      const query = crossTab === 'storage' ? '?crossTab=storage' : '';
      const a = await open(server, `/app/a${query}`);
      await a.evaluate("window.test.login('ada')");
      const b = await open(server, `/app/b${query}`);
      expect(await b.evaluate('window.test.whoami()')).toBe('ada');
      const mark = server.requests.length;
      await a.evaluate('window.test.client.signOut().then(() => true)');
      const seen = await until(
        () => status(b),
        (s) => s.startsWith('signed-out'),
        1000,
      );
      expect(seen).toBe('signed-out logout other-tab');
      expect(server.requests.slice(mark)).toEqual(['POST /auth/logout']);
      expect(await b.evaluate('window.test.whoami()')).not.toBe('ada'); // and the server agrees
    });
  }

  for (const mode of ['token', 'cookie'] as const) {
    it(`an expired session on an API call ends on the login page with path, query and hash as returnTo, and comes back after sign-in (${mode} sessions)`, async () => {
      const server = await app(mode);
      const start = '/app/inbox?folder=work&sort=new#message-7';
      const tab = await open(server, start);
      await tab.evaluate("window.test.login('ada')");
      expect(await tab.evaluate('window.test.whoami()')).toBe('ada');
      server.clock.advance(15 * DAY); // past every idle timeout: refresh tokens and cookie sessions alike
      await tab.evaluate("window.test.start('x', '/api/me')");
      const login = await until(
        () => tab.url(),
        (u) => new URL(u).pathname === '/login',
      );
      expect(new URL(login).searchParams.get('returnTo')).toBe(start);
      await until(
        () => tab.evaluate('!!window.test'),
        (v) => v === true,
      );
      await tab.evaluate("window.test.login('ada', true)");
      const back = await until(
        () => tab.url(),
        (u) => u === server.origin + start,
      );
      expect(back).toBe(server.origin + start);
      await until(
        () => tab.evaluate('!!window.test'),
        (v) => v === true,
      );
      await tab.evaluate('window.test.ready.then(() => true)');
      expect(await tab.evaluate('window.test.whoami()')).toBe('ada');
    });
  }

  it('the refresh cookie is invisible to document.cookie, and no token reaches localStorage or sessionStorage', async () => {
    const server = await app('token');
    const tabs = [await open(server, '/app/a'), await open(server, '/app/b?crossTab=storage')];
    await tabs[0]!.evaluate("window.test.login('ada')");
    server.clock.advance(6 * MINUTE);
    for (const tab of tabs) expect(await tab.evaluate('window.test.whoami()')).toBe('ada'); // refreshed, so the cookie was sent
    await tabs[1]!.evaluate('window.test.client.signOut().then(() => true)');
    for (const [i, tab] of tabs.entries()) {
      expect(await tab.evaluate<string>('document.cookie')).not.toContain(server.cookieName);
      const writes = await tab.evaluate<[string, string, string][]>('window.__storageWrites');
      const left = await tab.evaluate<number>('localStorage.length + sessionStorage.length');
      expect(left).toBe(0);
      // BroadcastChannel writes nothing; the fallback writes only its event key, and never a token.
      if (i === 0) expect(writes).toEqual([]);
      else {
        expect(writes.length).toBeGreaterThan(0);
        expect(new Set(writes.map(([area, key]) => `${area} ${key}`))).toEqual(
          new Set(['local latchkey:event']),
        );
      }
      for (const [, , value] of writes)
        for (const token of server.issued) expect(value).not.toContain(token);
    }
  });

  it('a cross-origin form post to a state-changing route is refused with 403; the same post from the app itself goes through', async () => {
    const server = await app('cookie');
    // The control first: a post from a page of the app's own origin is carried out.
    const own = await open(server, '/app/home');
    const status = await own.evaluate<number>(
      "fetch('/account/transfer', { method: 'POST', body: new URLSearchParams({ amount: '100' }) }).then((r) => r.status)",
    );
    expect(status).toBe(200);
    expect(server.transfers()).toBe(1);
    // The attacker: another origin (127.0.0.1, not localhost) whose page posts the form at once.
    const attacker: Server = createServer((_, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(transferForm(`${server.origin}/account/transfer`)),
    );
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const tab = await engine.newTab();
      tabs.push(tab);
      await tab.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      // Wait on the server and the tab's URL (neither runs script in a page mid-navigation).
      await until(
        async () => server.requests.filter((r) => r === 'POST /account/transfer').length,
        (n) => n === 2,
      );
      await until(
        () => tab.url(),
        (u) => u.startsWith(`${server.origin}/account/transfer`),
      );
      const refusal = await until(
        () => tab.evaluate<string>('document.body ? document.body.innerText : ""'),
        (v) => v.length > 0,
      );
      expect(refusal).toMatch(/refused/i);
      expect(server.transfers()).toBe(1);
    } finally {
      // Browsers keep connections alive (Chromium does, to the attacker too): end them, then close.
      attacker.closeAllConnections();
      await new Promise((resolve) => attacker.close(resolve));
    }
  });

  describe('DPoP (RFC 9449)', () => {
    const idbKey =
      "new Promise((resolve, reject) => { const o = indexedDB.open('latchkey-dpop'); o.onerror = () => reject(o.error); o.onsuccess = () => { const g = o.result.transaction('keys').objectStore('keys').get('default'); g.onsuccess = () => { const p = g.result; o.result.close(); resolve(p ? { type: p.privateKey.type, extractable: p.privateKey.extractable, curve: p.privateKey.algorithm.namedCurve } : null); }; }; })";
    const jktOf = (token: string) =>
      (
        JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
          cnf?: { jkt?: string };
        }
      ).cnf?.jkt;
    const lastAccessToken = (server: TestApp) =>
      server.issued.filter((t) => t.includes('.')).at(-1)!;

    it('sign-in and API calls carry proofs of a non-extractable key kept in IndexedDB; the key survives a reload', async () => {
      const server = await app('dpop');
      const tab = await open(server, '/app/home');
      expect(await tab.evaluate("window.test.login('ada')")).toBe(200);
      expect(await tab.evaluate('window.test.whoami()')).toBe('ada');
      // The login was refused once for want of a server nonce, then retried with it.
      expect(server.schemes.filter((s) => s === 'POST /auth/login - proof').length).toBe(2);
      expect(server.schemes).toContain('GET /api/me DPoP proof');
      // Answers hand out the current nonce (RFC 9449 §8.2), so the next proof carries it unasked.
      expect(
        await tab.evaluate<boolean>(
          "window.test.client.fetch('/api/me').then((r) => r.ok && /^[0-9a-z]+\\.[A-Za-z0-9_-]{22}$/.test(r.headers.get('dpop-nonce') ?? ''))",
        ),
      ).toBe(true);
      expect(await tab.evaluate(idbKey)).toEqual({
        type: 'private',
        extractable: false,
        curve: 'P-256',
      });
      const jkt = jktOf(lastAccessToken(server));
      expect(jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Reload: the page resumes from the refresh cookie, which a bound family honours only with the same key.
      await tab.goto(`${server.origin}/app/home?reloaded`);
      await until(
        () => tab.evaluate('!!window.test'),
        (v) => v === true,
      );
      await tab.evaluate('window.test.ready.then(() => true)');
      expect(await status(tab)).toBe('signed-in this-tab');
      expect(await tab.evaluate('window.test.whoami()')).toBe('ada');
      expect(jktOf(lastAccessToken(server))).toBe(jkt);
    });

    it('a token and refresh cookie copied out of the browser are refused from Node without the key, and the page carries on', async () => {
      const server = await app('dpop');
      const tab = await open(server, '/app/home');
      expect(await tab.evaluate("window.test.login('ada')")).toBe(200);
      const stolen = lastAccessToken(server);
      const me = (headers: Record<string, string>) =>
        fetch(`${server.origin}/api/me`, { headers: { accept: 'application/json', ...headers } });
      const asBearer = await me({ authorization: `Bearer ${stolen}` });
      expect(asBearer.status).toBe(401);
      expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
      const noProof = await me({ authorization: `DPoP ${stolen}` });
      expect(noProof.status).toBe(401);
      expect(noProof.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
      const thief = await dpopKey();
      const nonce = noProof.headers.get('dpop-nonce') ?? undefined;
      const ownKey = await me({
        authorization: `DPoP ${stolen}`,
        dpop: await thief.proof('GET', `${server.origin}/api/me`, server.clock.now(), {
          accessToken: stolen,
          nonce,
        }),
      });
      expect(ownKey.status).toBe(401);
      expect(await ownKey.json()).toEqual({ error: 'invalid_dpop_proof', reason: 'jkt' });
      // The refresh token, copied: refused without the key, and the family is not revoked.
      // (HttpOnly: no script reads it; taken from the server's record, as a thief with the disk would.)
      const refreshToken = server.issued.filter((t) => !t.includes('.')).at(-1)!;
      const refresh = await fetch(`${server.origin}/auth/refresh`, {
        method: 'POST',
        headers: { cookie: `${server.cookieName}=${refreshToken}`, accept: 'application/json' },
      });
      expect(refresh.status).toBe(400);
      expect((await refresh.json()).error).toBe('invalid_dpop_proof');
      // The page itself refreshes with its key: the family was not revoked by the thief.
      const before = server.refreshes();
      expect(await tab.evaluate('window.test.client.refresh()')).toBe('refreshed');
      expect(server.refreshes() - before).toBe(1);
      expect(await tab.evaluate('window.test.whoami()')).toBe('ada');
      expect(await status(tab)).toBe('signed-in this-tab');
    });

    it("the server's clock 6 minutes ahead of the browser's: the client dates its proofs by the server's Date, refreshes and carries on", async () => {
      const server = await app('dpop');
      const tab = await open(server, '/app/home');
      expect(await tab.evaluate("window.test.login('ada')")).toBe(200);
      server.clock.advance(6 * MINUTE); // the access token expires, and the browser's clock is now 6 minutes behind
      const before = server.refreshes();
      expect(await tab.evaluate('window.test.whoami()')).toBe('ada');
      expect(server.refreshes() - before).toBeGreaterThanOrEqual(1);
      expect(await status(tab)).toBe('signed-in this-tab');
    });
  });
}
