/**
 * One app server for the two-server test: a plain fetch handler on the core
 * engine and postgresStore, served by @hono/node-server on PORT, sessions in
 * the PostgreSQL at DATABASE_URL. Run as its own process (`node --import
 * tsx`, with TSX_TSCONFIG_PATH=test/sql/tsconfig.json so the workspace
 * resolves to sources); several of them share one database and no sticky
 * routing. Same routes and `x-server` header as test/redis/server.ts.
 */
import { serve } from '@hono/node-server';
import { createLatchkey, StoreError, storeUnavailableResponse } from '@latchkey/core';
import { postgresStore } from '../../adapters/sql/src/pg.js';
import { pg } from '../../adapters/sql/test/support/drivers.js';

const port = Number(process.env.PORT);
const databaseUrl = process.env.DATABASE_URL;
if (!Number.isInteger(port) || !databaseUrl)
  throw new Error('server.ts needs PORT and DATABASE_URL');

const pool = new pg.Pool({ connectionString: databaseUrl });
pool.on('error', () => {}); // surfaces as StoreError on the request that needed the database
const store = postgresStore({ client: pool });
await store.migrate(); // both servers migrate at once: the advisory lock serializes them
const latchkey = createLatchkey({ policy: { idleTimeout: '30m', absoluteTimeout: '8h' }, store });
const server = String(process.pid);

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-server': server },
  });

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const session = latchkey.forRequest(request);
  if (request.method === 'POST' && url.pathname === '/login') {
    await session.login(url.searchParams.get('user') ?? 'anonymous');
    return session.commit(json({ server }));
  }
  if (request.method === 'POST' && url.pathname === '/logout') {
    await session.logout();
    return session.commit(json({ server }));
  }
  if (request.method === 'POST' && url.pathname === '/logout-everywhere') {
    const outcome = await session.load();
    if (!outcome.valid) return session.commit(json({ reason: outcome.reason, server }, 401));
    const ended = await latchkey.revokeUser(outcome.session.userId ?? '');
    return session.commit(json({ ended, server }));
  }
  if (request.method === 'GET' && url.pathname === '/me') {
    const outcome = await session.load();
    if (!outcome.valid) return session.commit(json({ reason: outcome.reason, server }, 401));
    return session.commit(json({ user: outcome.session.userId, server }));
  }
  return json({ error: 'not found' }, 404);
}

serve({
  port,
  hostname: '127.0.0.1',
  fetch: (request) =>
    handle(request).catch((error: unknown) => {
      if (error instanceof StoreError) return storeUnavailableResponse(request);
      throw error;
    }),
});
