/**
 * `withWorkerSessions` inside workerd, through miniflare: an app whose engine
 * is built from `env` (a Durable Object binding, a KV namespace, text
 * bindings standing in for secrets), driven over HTTP. With the Durable
 * Object store a logout or "log out my other devices" is refused on the very
 * next request; with Workers KV the engine refuses the per-user feature
 * outright instead of pretending.
 */
import { readFile } from 'node:fs/promises';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, root } from './harness.js';

let mf: Miniflare;
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const bundled = await bundle(`${root}test/runtimes/workers/app-worker.ts`, {
    platform: 'browser',
  });
  cleanup = bundled.cleanup;
  mf = new Miniflare({
    modules: true,
    script: await readFile(bundled.outfile, 'utf8'),
    compatibilityDate: '2025-01-01',
    kvNamespaces: ['KV'],
    durableObjects: { SESSIONS: 'LatchkeySessionsDO' },
    bindings: { KEY_PREFIX: 'app1:', SESSIONS_NAME: 'sessions' },
  });
});
afterAll(async () => {
  await mf?.dispose();
  await cleanup();
});

async function call(path: string, cookie?: string) {
  const response = await mf.dispatchFetch(`http://localhost${path}`, {
    method: 'POST',
    headers: cookie ? { cookie } : {},
  });
  const text = await response.text();
  return {
    status: response.status,
    cookie: response.headers.getSetCookie()[0]?.split(';')[0],
    body: text ? JSON.parse(text) : null,
  };
}

describe('withWorkerSessions in workerd', () => {
  describe('on the Durable Object store', () => {
    it('a login cookie is recognised on the next request; after logout it is refused', async () => {
      const login = await call('/do/login');
      expect([login.status, login.body]).toEqual([200, { user: 'ada' }]);
      expect((await call('/do/me', login.cookie)).body).toEqual({ user: 'ada' });
      expect((await call('/do/logout', login.cookie)).status).toBe(204);
      expect(await call('/do/me', login.cookie)).toMatchObject({ status: 401 });
    });

    it("ending the user's other sessions is refused on the very next request from the other device", async () => {
      const [laptop, phone] = [(await call('/do/login')).cookie, (await call('/do/login')).cookie];
      expect((await call('/do/me', phone)).status).toBe(200);
      expect((await call('/do/revoke-others', laptop)).body).toMatchObject({
        ended: expect.any(Number),
      });
      expect(await call('/do/me', phone)).toMatchObject({ status: 401 });
      expect((await call('/do/me', laptop)).body).toEqual({ user: 'ada' });
    });

    it('a missing or bogus cookie is told 401, never 500', async () => {
      expect(await call('/do/me')).toMatchObject({ status: 401, body: { reason: 'missing' } });
      expect((await call('/do/me', 'session=garbage%00%%')).status).toBe(401);
    });
  });

  describe('on the Workers KV store', () => {
    it('a login cookie is recognised on the next request; after logout it is refused (in this one location)', async () => {
      const login = await call('/kv/login');
      expect((await call('/kv/me', login.cookie)).body).toEqual({ user: 'ada' });
      expect((await call('/kv/logout', login.cookie)).status).toBe(204);
      expect((await call('/kv/me', login.cookie)).status).toBe(401);
    });

    it("refuses ending a user's other sessions, which needs the user index KV cannot keep, with StoreCapabilityError", async () => {
      const login = await call('/kv/login');
      expect(await call('/kv/revoke-others', login.cookie)).toMatchObject({
        status: 501,
        body: { error: 'ERR_STORE_CAPABILITY' },
      });
    });
  });

  it('built each engine once for the isolate, not once per request', async () => {
    expect((await call('/__builds')).body).toEqual({ do: 1, kv: 1 });
  });
});
