/**
 * `withWorkerSessions` inside workerd, through miniflare, beyond the shared
 * scenario suite (which runs it on the Durable Object store:
 * test/scenarios/workerd.test.ts): an engine built from `env` once per
 * isolate, "log out my other devices" refused on the very next request on the
 * Durable Object store, and Workers KV refusing the per-user feature outright.
 */
import { readFile } from 'node:fs/promises';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore, presets } from '@latchkey/core';
import { withWorkerSessions } from '../../adapters/workers/src/index.js';
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
    it("ending the user's other sessions is refused on the very next request from the other device", async () => {
      const [laptop, phone] = [(await call('/do/login')).cookie, (await call('/do/login')).cookie];
      expect((await call('/do/me', phone)).status).toBe(200);
      expect((await call('/do/revoke-others', laptop)).body).toMatchObject({
        ended: expect.any(Number),
      });
      expect(await call('/do/me', phone)).toMatchObject({ status: 401 });
      expect((await call('/do/me', laptop)).body).toEqual({ user: 'ada' });
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

describe('withWorkerSessions given a wrong value', () => {
  const handler = () => new Response('never');
  const request = new Request('http://localhost/');
  const ctx = { waitUntil: () => {} };
  it('an engine where the build function belongs is refused at construction, naming the fix', () => {
    const engine = createLatchkey({ policy: presets.productivity, store: new MemoryStore() });
    expect(() => withWorkerSessions(engine as never, handler)).toThrow(
      /^withWorkerSessions\(\): build must be a function of env .*; got an object: wrap it as \(\) => engine/,
    );
  });
  it('a build that returns a preset fails on the first request with a TypeError naming createLatchkey', () => {
    const wrapped = withWorkerSessions(() => presets.productivity as never, handler);
    expect(() => wrapped(request, {}, ctx)).toThrow(TypeError);
    expect(() => wrapped(request, {}, ctx)).toThrow(
      /^withWorkerSessions\(\): build\(env\): expected a session engine, got a policy .*createLatchkey\(\{ policy: presets\.productivity, store \}\)/,
    );
  });
});
