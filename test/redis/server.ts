/**
 * One app server for the two-server test: a plain fetch handler on the core
 * engine and redisStore, served by @hono/node-server on PORT, sessions in the
 * Redis at REDIS_URL. Run as its own process (`node --import tsx`, with
 * TSX_TSCONFIG_PATH=test/redis/tsconfig.json so the workspace resolves to
 * sources); several of them share one Redis and no sticky routing.
 *
 *   POST /login?user=ada   log in, set the cookie
 *   POST /note?key=k       set data key k (many at once, from both servers)
 *   GET  /me               200 { user, data, server } or 401 { reason }
 *   POST /logout           end the session
 * Every response carries `x-server: <pid>` so the test can see who answered.
 */
import { serve } from '@hono/node-server';
import { createLatchkey, withSessions, type RequestSession } from '@latchkey/core';
import { redisStore } from '@latchkey/unstorage/redis';
import Redis from 'ioredis';

const port = Number(process.env.PORT);
const redisUrl = process.env.REDIS_URL;
if (!Number.isInteger(port) || !redisUrl) throw new Error('server.ts needs PORT and REDIS_URL');

const client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
client.on('error', () => {}); // surfaces as StoreError on the request that needed Redis
const latchkey = createLatchkey({
  policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
  store: redisStore(client),
});
const server = String(process.pid);

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-server': server },
  });

async function handle(request: Request, session: RequestSession): Promise<Response> {
  const url = new URL(request.url);
  if (request.method === 'POST' && url.pathname === '/login') {
    await session.login(url.searchParams.get('user') ?? 'anonymous');
    return json({ server });
  }
  if (request.method === 'POST' && url.pathname === '/note') {
    const outcome = await session.load();
    if (!outcome.valid) return json({ reason: outcome.reason, server }, 401);
    outcome.session.set(url.searchParams.get('key') ?? 'note', true);
    return json({ server });
  }
  if (request.method === 'POST' && url.pathname === '/logout') {
    await session.logout();
    return json({ server });
  }
  if (request.method === 'GET' && url.pathname === '/me') {
    const outcome = await session.load();
    if (!outcome.valid) return json({ reason: outcome.reason, server }, 401);
    return json({ user: outcome.session.userId, data: outcome.session.data, server });
  }
  return json({ error: 'not found' }, 404);
}

const app = withSessions(latchkey, ({ request, session }) => handle(request, session));
// withSessions commits every response and answers a store outage 503 and a lost write race 409.
serve({
  port,
  hostname: '127.0.0.1',
  fetch: (request) => app(request),
});
