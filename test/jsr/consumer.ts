/**
 * A Deno program that uses every Latchkey package through its JSR entries (each jsr.json's
 * `exports`, mapped by name, TypeScript sources as JSR serves them): jsr.test.ts type-checks it
 * with `deno check` and runs it, then reads the one-line JSON report it prints.
 */
import {
  createLatchkey,
  MemoryStore,
  presets,
  type SessionHandler,
  type SessionStore,
  withSessions,
} from '@latchkey/core';
import {
  assertEqual,
  assertTrue,
  DbscBrowser,
  ManualClock,
  runStoreCases,
} from '@latchkey/core/testing';
import { createTokenIssuer } from '@latchkey/core/tokens';
import { createSealedSessions } from '@latchkey/core/sealed';
import { getCookie, serializeCookie } from '@latchkey/core/cookie';
import { envelope, openEnvelope } from '@latchkey/core/store';
import { createMonitor } from '@latchkey/core/monitor';
import { createPasskeys } from '@latchkey/core/webauthn';
import { deviceBoundSessions } from '@latchkey/core/dbsc';
import { createDpopVerifier } from '@latchkey/core/dpop';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { latchkey, requireSession, type SessionEnv } from '@latchkey/hono';
import { denoKvStore, serveWithSessions } from '@latchkey/deno';
import { withWorkerSessions } from '@latchkey/workers';
import { unstorageStore } from '@latchkey/unstorage';
import { redisStore } from '@latchkey/unstorage/redis';
import { schemaSql, sqlStore } from '@latchkey/sql';
import { postgresStore } from '@latchkey/sql/pg';
import { postgresJsStore } from '@latchkey/sql/postgres';
import { sqliteStore } from '@latchkey/sql/libsql';
import { createClient as createLibsqlClient } from '@libsql/client';
import { createHandler, toRequest } from '@latchkey/node';
import { createClient, sameOriginPath } from '@latchkey/client';
import { parseSetCookie } from '@latchkey/audit';
import { Hono } from 'hono';
import { createStorage } from 'unstorage';
import { reportMarker, runChecks } from '../runtimes/report.ts';

const origin = 'http://127.0.0.1';
const cookieOf = (res: Response) => res.headers.getSetCookie()[0]!.split(';')[0]!;

/** Sign in, read, sign out and replay against any fetch handler with login / me / logout routes. */
async function signInReadSignOut(fetchHandler: (request: Request) => Promise<Response>) {
  const post = (path: string, cookie?: string) =>
    fetchHandler(
      new Request(origin + path, {
        method: 'POST',
        headers: { origin, ...(cookie ? { cookie } : {}) },
      }),
    );
  const login = await post('/login');
  assertEqual(login.status, 200, 'login');
  const cookie = cookieOf(login);
  const me = await fetchHandler(new Request(origin + '/me', { headers: { cookie } }));
  assertEqual([me.status, await me.json()], [200, { user: 'ada' }], 'signed-in read');
  assertEqual((await post('/logout', cookie)).status, 200, 'logout');
  const replay = await fetchHandler(new Request(origin + '/me', { headers: { cookie } }));
  assertEqual(replay.status, 401, 'the old cookie after logout');
  return cookie;
}

function engineOn(store: SessionStore, clock = new ManualClock()) {
  return createLatchkey({
    policy: presets.productivity,
    store,
    clock,
    cookie: { development: true, warn: () => {} },
  });
}

function honoApp(store: SessionStore, clock: ManualClock) {
  const app = new Hono<SessionEnv>();
  app.use(latchkey(engineOn(store, clock)));
  app.post('/login', async (c) => c.json({ user: (await c.var.session.login('ada')).userId }));
  app.get('/me', requireSession({ mode: 'json' }), (c) =>
    c.json({ user: c.var.session.current?.userId }),
  );
  app.post('/logout', async (c) => (await c.var.session.logout(), c.json({ loggedOut: true })));
  return app;
}

/** login / me / logout as a runtime's fetch-handler wrapper hands them a session. */
const routes: SessionHandler = async ({ request, session }) => {
  const path = new URL(request.url).pathname;
  if (path === '/login') return Response.json({ user: (await session.login('ada')).userId });
  if (path === '/logout') return (await session.logout(), Response.json({ ok: true }));
  const outcome = await session.load();
  return outcome.valid
    ? Response.json({ user: outcome.session.userId })
    : Response.json({ reason: outcome.reason }, { status: 401 });
};

const kv = await Deno.openKv(':memory:');

const results = await runChecks({
  async '@latchkey/hono on Deno: sign in, read, sign out, and the old cookie is refused'() {
    const clock = new ManualClock();
    const app = honoApp(new MemoryStore({ clock }), clock);
    await signInReadSignOut((r) => Promise.resolve(app.fetch(r)));
  },
  async '@latchkey/hono: a session idle past the policy is refused on the injected clock'() {
    const clock = new ManualClock();
    const app = honoApp(new MemoryStore({ clock }), clock);
    const login = await app.fetch(
      new Request(origin + '/login', { method: 'POST', headers: { origin } }),
    );
    const cookie = cookieOf(login);
    clock.advance(31 * 60_000); // productivity: 30 minutes idle
    const me = await app.fetch(new Request(origin + '/me', { headers: { cookie } }));
    assertEqual([me.status, (await me.json()).reason], [401, 'idle'], 'after 31 idle minutes');
  },
  async '@latchkey/deno: serveWithSessions on a real Deno.serve listener over Deno KV'() {
    const engine = engineOn(denoKvStore(kv));
    const server = serveWithSessions(engine, routes, {
      port: 0,
      hostname: '127.0.0.1',
      onListen: () => {},
    });
    const port = (server as unknown as { addr: { port: number } }).addr.port;
    try {
      await signInReadSignOut((r) => {
        const url = new URL(r.url);
        return fetch(`http://127.0.0.1:${port}${url.pathname}`, {
          method: r.method,
          headers: r.headers,
        });
      });
    } finally {
      await (server as unknown as { shutdown(): Promise<void> }).shutdown();
    }
  },
  async '@latchkey/workers: withWorkerSessions as a fetch handler'() {
    const engine = engineOn(new MemoryStore());
    const worker = withWorkerSessions(() => engine, routes);
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {} };
    await signInReadSignOut((r) => worker(r, {}, ctx));
  },
  async '@latchkey/unstorage: the store conformance cases on an unstorage memory storage'() {
    const failed = (
      await runStoreCases(({ clock }) => unstorageStore(createStorage(), { clock }))
    ).filter((r) => !r.passed);
    assertEqual(
      failed.map((r) => `${r.name}: ${r.error}`),
      [],
      'failed cases',
    );
  },
  async '@latchkey/core/tokens: refresh rotates, and a replayed refresh token is refused'() {
    const clock = new ManualClock();
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 'a'.repeat(32) }],
      store: new MemoryStore({ clock }),
      policy: presets.api,
      clock,
      reuseGrace: 0,
    });
    const pair = await tokens.issue('ada');
    const verdict = await tokens.verifyAccess(pair.accessToken);
    assertTrue(verdict.valid && verdict.claims.sub === 'ada', 'access token verifies');
    const next = await tokens.refresh(pair.refreshToken);
    assertTrue(next.valid, 'first refresh');
    const replay = await tokens.refresh(pair.refreshToken);
    assertTrue(!replay.valid, 'the replayed refresh token');
  },
  async '@latchkey/core/sealed: a sealed cookie round trip, refused once the absolute cap passes'() {
    const clock = new ManualClock();
    const sessions = createSealedSessions({
      policy: presets.productivity,
      secrets: ['s'.repeat(32)],
      clock,
      cookie: { development: true, warn: () => {} },
    });
    const session = sessions.forRequest(new Request(origin + '/login', { method: 'POST' }));
    await session.login('ada');
    const cookie = cookieOf(await session.commit(new Response('ok')));
    const read = await sessions
      .forRequest(new Request(origin + '/', { headers: { cookie } }))
      .load();
    assertTrue(read.valid && read.session.userId === 'ada', 'the sealed cookie reads back');
    clock.advance(25 * 3600_000);
    const late = await sessions
      .forRequest(new Request(origin + '/', { headers: { cookie } }))
      .load();
    assertTrue(!late.valid, 'past the 24 h absolute cap');
  },
  async '@latchkey/core/cookie, /store, /monitor: the helpers behave the same on Deno'() {
    assertEqual(getCookie(serializeCookie('sid', 'v1', { path: '/' }), 'sid'), 'v1', 'cookie');
    assertEqual(openEnvelope(envelope('payload', 1000), 10, 'test'), 'payload', 'envelope');
    assertEqual(openEnvelope(envelope('payload', 1000), 1000, 'test'), null, 'past its deadline');
    const clock = new ManualClock();
    const monitor = createMonitor({ clock });
    const engine = createLatchkey({
      policy: presets.productivity,
      store: new MemoryStore({ clock }),
      clock,
      onEvent: monitor.onEvent,
      cookie: { development: true, warn: () => {} },
    });
    const session = engine.forRequest(new Request(origin + '/login', { method: 'POST' }));
    await session.login('ada');
    await session.commit(new Response('ok'));
    assertEqual(monitor.view().activeSessions, 1, 'the monitor counted the login');
  },
  async '@latchkey/sql/libsql: the store conformance cases on an SQLite file, in Deno'() {
    const dir = await Deno.makeTempDir();
    try {
      const client = createLibsqlClient({ url: `file:${dir}/sessions.db`, concurrency: 1 });
      const failed = (
        await runStoreCases(({ clock }) => sqliteStore({ client, clock }), {
          capabilities: ['userIndex', 'consume', 'compareAndSet'],
        })
      ).filter((r) => !r.passed);
      client.close();
      assertEqual(
        failed.map((r) => `${r.name}: ${r.error}`),
        [],
        'failed cases',
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  async '@latchkey/core/webauthn: step-up options for a signed-in session; a forged assertion is refused'() {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const engine = engineOn(store, clock);
    const passkeys = createPasskeys({
      store,
      rpID: 'localhost',
      origin: origin,
      clock,
      credentials: { byId: () => null, byUser: () => [], updateCounter: () => {} },
    });
    const rs = engine.forRequest(new Request(origin + '/login', { method: 'POST' }));
    await rs.login('ada', { method: 'password' });
    const options = await passkeys.authenticationOptions(rs, 'step-up');
    assertTrue(
      typeof options.challenge === 'string' && options.challenge.length >= 43,
      'a challenge',
    );
    const forged = {
      id: 'x',
      rawId: 'x',
      type: 'public-key',
      response: {},
      clientExtensionResults: {},
    };
    const verdict = await passkeys.verifyAuthentication(rs, forged, 'step-up');
    assertTrue(!verdict.verified, 'the forged assertion');
  },
  async '@latchkey/core/dbsc: a device-bound session registers, and refreshes once its bound cookie expires'() {
    const clock = new ManualClock();
    const dbsc = deviceBoundSessions();
    const engine = createLatchkey({
      policy: { idleTimeout: '30m', absoluteTimeout: '8h', deviceBinding: 'offered' },
      store: new MemoryStore({ clock }),
      clock,
      deviceBinding: dbsc,
    });
    const app = withSessions(engine, async ({ request, session }) => {
      if (request.method === 'POST') await session.login('ada');
      const outcome = await session.load();
      return new Response(outcome.valid ? 'in' : 'out');
    });
    const browser = new DbscBrowser({
      fetch: async (request: Request) => (await dbsc.handle(request)) ?? app(request),
      now: () => clock.now(),
    });
    await browser.fetch('https://app.example/login', { method: 'POST' });
    clock.advance('11m');
    assertEqual(
      await (await browser.fetch('https://app.example/')).text(),
      'in',
      'after 11 minutes',
    );
    const kinds = browser.log.map((x) => x.kind);
    assertTrue(
      kinds[0] === 'registration' && kinds.includes('refresh'),
      `registered, then refreshed: ${kinds}`,
    );
  },
  async '@latchkey/core/dpop: a proof signed in Deno verifies once; its replay is refused'() {
    const clock = new ManualClock();
    const dpop = createDpopVerifier({
      origin: 'https://api.example',
      store: new MemoryStore({ clock }),
      clock,
    });
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({
      htm: 'POST',
      htu: 'https://api.example/token',
      iat: Math.floor(clock.now() / 1000),
      jti: crypto.randomUUID(),
    })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const request = () =>
      new Request('https://api.example/token', { method: 'POST', headers: { dpop: proof } });
    const first = await dpop.verify(request());
    assertTrue(first.valid, `the proof: ${first.valid ? '' : first.reason}`);
    const replay = await dpop.verify(request());
    assertTrue(!replay.valid && replay.reason === 'replay', 'the replayed proof');
  },
  async 'the driver entries load on Deno and refuse a wrong client with a clear error'() {
    assertTrue(schemaSql('sqlite').includes('CREATE TABLE'), 'schemaSql');
    for (const [name, make] of Object.entries({
      sqlStore,
      postgresStore,
      postgresJsStore,
      redisStore,
    })) {
      let message = '';
      try {
        (make as (x: unknown) => unknown)({});
      } catch (error) {
        message = String(error);
      }
      assertTrue(message.length > 0, `${name}({}) refuses`);
    }
  },
  async '@latchkey/node, /client and /audit load on Deno'() {
    assertEqual(typeof createHandler, 'function', 'createHandler');
    assertEqual(typeof toRequest, 'function', 'toRequest');
    assertEqual(sameOriginPath('/inbox?x=1', origin), '/inbox?x=1', 'sameOriginPath');
    assertEqual(typeof createClient, 'function', 'createClient');
    assertEqual(parseSetCookie('sid=abc; HttpOnly; Path=/')?.name, 'sid', 'parseSetCookie');
  },
});

kv.close();
console.log(reportMarker + JSON.stringify({ results }));
