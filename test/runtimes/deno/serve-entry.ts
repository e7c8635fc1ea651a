/**
 * Runs inside Deno (bundled by deno-kv.test.ts): `serveWithSessions` on a real
 * `Deno.serve` listener with `denoKvStore`, driven over HTTP from inside the
 * same process, then prints a JSON report.
 */
import { createLatchkey, presets } from '@latchkey/core';
import { assertEqual } from '../../../packages/core/src/testing/assert.js';
import {
  denoKvStore,
  serveWithSessions,
  type DenoKvLike,
} from '../../../adapters/deno/src/index.js';
import { reportMarker, runChecks } from '../report.js';

declare const Deno: { openKv(path?: string): Promise<DenoKvLike & { close(): void }> };

const kv = await Deno.openKv(':memory:');
const brokenKv = await Deno.openKv(':memory:');
brokenKv.close(); // every operation on it now rejects: the store must fail closed

function app(store: ReturnType<typeof denoKvStore>) {
  const latchkey = createLatchkey({
    policy: presets.productivity,
    store,
    cookie: { development: true, warn: () => {} },
  });
  return serveWithSessions(
    latchkey,
    async ({ request, session }) => {
      const path = new URL(request.url).pathname;
      if (path === '/login') return Response.json({ user: (await session.login('ada')).userId });
      if (path === '/logout') return (await session.logout(), new Response(null, { status: 204 }));
      const outcome = await session.load();
      return outcome.valid
        ? Response.json({ user: outcome.session.userId, ip: outcome.session.device.ip ?? null })
        : Response.json({ reason: outcome.reason }, { status: 401 });
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => {} },
  );
}

const listening = (server: ReturnType<typeof app>) =>
  (server as unknown as { addr: { port: number } }).addr.port;
const server = app(denoKvStore(kv));
const failing = app(denoKvStore(brokenKv));
const base = `http://127.0.0.1:${listening(server)}`;
const call = async (path: string, cookie?: string) => {
  const response = await fetch(base + path, { method: 'POST', headers: cookie ? { cookie } : {} });
  return {
    status: response.status,
    setCookie: response.headers.getSetCookie(),
    body: response.status === 204 ? null : await response.json(),
  };
};

const extra = await runChecks({
  async 'login sets a session cookie that the next request is recognised by, with the peer address as device IP'() {
    const login = await call('/login');
    assertEqual([login.status, login.body], [200, { user: 'ada' }], 'login');
    const cookie = login.setCookie[0]!.split(';')[0]!;
    assertEqual(
      await call('/me', cookie).then((r) => [r.status, r.body]),
      [200, { user: 'ada', ip: '127.0.0.1' }],
      'next request',
    );
  },
  async 'after logout the old cookie is refused'() {
    const cookie = (await call('/login')).setCookie[0]!.split(';')[0]!;
    assertEqual((await call('/logout', cookie)).status, 204, 'logout');
    const replay = await call('/me', cookie);
    assertEqual(replay.status, 401, 'replayed cookie status');
  },
  async 'no cookie and a bogus cookie are told 401, never 500'() {
    assertEqual(
      await call('/me').then((r) => [r.status, r.body]),
      [401, { reason: 'missing' }],
      'no cookie',
    );
    assertEqual((await call('/me', 'session=%%%not-a-session')).status, 401, 'bogus cookie');
  },
  async 'a failing Deno KV fails closed with 503, not 500 and not a sign-in'() {
    const response = await fetch(`http://127.0.0.1:${listening(failing)}/login`, {
      method: 'POST',
    });
    await response.body?.cancel();
    assertEqual(response.status, 503, 'status');
  },
});
await Promise.all([server.shutdown(), failing.shutdown()]);
kv.close();
console.log(reportMarker + JSON.stringify({ extra }));
