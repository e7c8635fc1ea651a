// The examples run by node started by their root scripts (`pnpm example:<name>`, run as the script says)
// with the environment a user sets, then signed in once: the one command each README gives works.
// The full smoke suites run the same apps in process (test/examples/<name>.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startRootScript, type StartedScript } from './root-script.js';
import { DEMO_PASSWORD } from './smoke.js';

const started: StartedScript[] = [];
let redis: RedisServer;
let postgres: PostgresServer;
beforeAll(async () => {
  // allSettled: if one fails to start, afterAll still stops the other.
  const [r, p] = await Promise.allSettled([startRedis(), startPostgres()]);
  if (r.status === 'fulfilled') redis = r.value;
  if (p.status === 'fulfilled') postgres = p.value;
  for (const started of [r, p]) if (started.status === 'rejected') throw started.reason;
});
afterAll(async () => {
  await Promise.all(started.map((app) => app.stop()));
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Start `pnpm <script>` as a user would; afterAll stops it. */
async function start(script: string, env: Record<string, string>): Promise<string> {
  const app = await startRootScript(script, env);
  started.push(app);
  return app.url;
}

async function signsIn(baseUrl: string) {
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { origin: baseUrl, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: DEMO_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const me = await fetch(`${baseUrl}/me`, { headers: { cookie, accept: 'application/json' } });
  expect(await me.json()).toEqual({ user: 'ada' });
}

/** The single-page app's API: tokens, not a session cookie. Login, the protected route, logout. */
async function signsInWithTokens(baseUrl: string) {
  const post = (path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(baseUrl + path, {
      method: 'POST',
      headers: { origin: baseUrl, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const login = await post('/auth/login', {}, { username: 'ada', password: DEMO_PASSWORD });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const { accessToken } = (await login.json()) as { accessToken: string };
  const me = (token: string) =>
    fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(await (await me(accessToken)).json()).toEqual({ user: 'ada' });
  const out = await post('/auth/logout', { cookie, authorization: `Bearer ${accessToken}` });
  expect(out.status).toBe(200);
  expect((await me(accessToken)).status).toBe(401);
}

describe('the examples run by node, started by their root scripts', () => {
  it.concurrent('example:hono-redis with REDIS_URL', async () => {
    await signsIn(await start('example:hono-redis', { REDIS_URL: redis.url }));
  });
  it.concurrent('example:hono-postgres with DATABASE_URL', async () => {
    await signsIn(await start('example:hono-postgres', { DATABASE_URL: postgres.url }));
  });
  it.concurrent('example:express', async () => {
    await signsIn(await start('example:express', {}));
  });
  it.concurrent('example:express-passport', async () => {
    await signsIn(await start('example:express-passport', {}));
  });
  it.concurrent('example:spa', async () => {
    await signsInWithTokens(await start('example:spa', {}));
  });
  it.concurrent('example:worker (workerd through miniflare)', async () => {
    await signsIn(await start('example:worker', {}));
  });
  // example:next: test/examples/next.test.ts starts exactly that script (a Next build costs a
  // minute, so it is built once).
});
