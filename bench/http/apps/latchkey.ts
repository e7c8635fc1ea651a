/**
 * Latchkey's contenders: the Hono middleware on every store and in sealed
 * mode, `withSessions` on a bare fetch handler, the Express middleware and
 * the express-session drop-in, each configured as its README says (productivity preset, default strict
 * `__Host-` cookie), signing in through its own login route.
 */

import { createClient, type Client } from '@libsql/client';
import express from 'express';
import { Hono } from 'hono';
import Redis from 'ioredis';
import pg from 'pg';
import { join } from 'node:path';
import { latchkey, type SessionEnv } from '../../../adapters/hono/src/index.js';
import { expressSession, latchkeyMiddleware } from '../../../adapters/node/src/index.js';
import { sqliteStore } from '../../../adapters/sql/src/libsql.js';
import { postgresStore } from '../../../adapters/sql/src/pg.js';
import { redisStore } from '../../../adapters/unstorage/src/redis.js';
import {
  createLatchkey,
  definePolicy,
  expiryResponse,
  MemoryStore,
  presets,
  withSessions,
  type SessionEngine,
  type SessionStore,
} from '../../../packages/core/src/index.js';
import { createSealedSessions } from '../../../packages/core/src/sealed/index.js';
import { ManualClock } from '../../../packages/core/src/testing/index.js';
import { createTokenIssuer } from '../../../packages/core/src/tokens/index.js';
import { SECRET, type App, type AppEnv } from './env.js';
import { count, payload, read, serveFetch, serveNode, signIn, type RequestSpec } from './serve.js';

/** Big enough that a login benchmark never fills it (the default bound is 10 000). */
const memory = () => new MemoryStore({ maxEntries: 5_000_000 });
const engineOn = (store: SessionStore) => createLatchkey({ policy: presets.productivity, store });
const sealed = (cache: boolean) =>
  createSealedSessions({
    policy: presets.productivity,
    secrets: [SECRET],
    chunking: 'split',
    ...(cache ? {} : { cache: false }),
  });

/** An ioredis client as redisStore's docs recommend (fail closed at once when Redis is down). */
async function redisClient(env: AppEnv): Promise<Redis> {
  const client = new Redis(env.redisUrl!, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

/** A libSQL client whose statements are counted under `name`. */
function countedLibsql(env: AppEnv, name: string): Client {
  const client = createClient({ url: `file:${join(env.dir, `${name}.db`)}`, concurrency: 1 });
  return new Proxy(client, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'execute' || key === 'executeMultiple' || key === 'batch')
        return (...args: unknown[]) => {
          count(name);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A pg Pool whose queries (round trips) are counted under `name`, pooled connections included. */
function countedPool(env: AppEnv, name: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: env.postgresUrl });
  pool.on('error', () => {});
  const query = pool.query.bind(pool) as (...a: unknown[]) => unknown;
  (pool as unknown as { query: unknown }).query = (...args: unknown[]) => (
    count(name),
    query(...args)
  );
  // pg's own pool.query() calls connect() with a callback; the store's transactions await it.
  const connect = pool.connect.bind(pool) as (
    cb?: (e: Error | undefined, c?: pg.PoolClient, done?: unknown) => void,
  ) => Promise<pg.PoolClient> | void;
  const mark = (client: pg.PoolClient) => {
    const marked = client as pg.PoolClient & { counted?: boolean };
    if (!marked.counted) {
      const q = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => (
        count(name),
        q(...args)
      );
      marked.counted = true;
    }
    return client;
  };
  (pool as unknown as { connect: unknown }).connect = (
    cb?: (e: Error | undefined, c?: pg.PoolClient, done?: unknown) => void,
  ) =>
    cb
      ? connect((e, c, done) => cb(e, c && mark(c), done))
      : (connect() as Promise<pg.PoolClient>).then(mark);
  return pool;
}

type Route = 'read' | 'never' | 'write';

/** The Hono app every Latchkey row runs: `GET /` reads (or writes), `/never` never loads, `POST /login` signs in. */
function honoApp(engine: SessionEngine, route: Route, loginData?: Record<string, string>) {
  const app = new Hono<SessionEnv>();
  let users = 0;
  app.use(latchkey(engine));
  app.post('/login', async (c) => {
    await c.var.session.login(`user-${users++}`, loginData ? { data: loginData } : {});
    return c.text('signed in');
  });
  app.get('/never', (c) => c.text('hello'));
  app.get('/', async (c) => {
    const outcome = await c.var.session.load();
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome);
    if (route === 'write') {
      const n = (outcome.session.get('n') as number | undefined) ?? 0;
      outcome.session.set('n', n + 1);
    }
    return c.text(`hello ${outcome.session.userId}`);
  });
  return app;
}

async function started(
  engine: SessionEngine,
  route: Route,
  opts: { loginData?: Record<string, string>; sessions?: number } = {},
) {
  const port = await serveFetch(honoApp(engine, route, opts.loginData).fetch);
  if (route === 'never') return { port, request: read('', '/never') };
  const cookies: string[] = [];
  for (let i = 0; i < (opts.sessions ?? 1); i++) cookies.push(await signIn(port));
  const request: RequestSpec = read(cookies[0]!);
  if (cookies.length > 1) request.cookies = cookies;
  // A sealed cookie is resealed once per touch interval (1 min here): the client keeps the new one, as a browser would.
  else if ('cookieName' in engine) request.adopt = true;
  return { port, request };
}

/** One session per connection for the write rows, so they measure writes, not conflicts (scenario 7 measures those). */
const PER_CONNECTION = 50;

export const latchkeyApps: Record<string, App> = {
  'lk-never': async () => started(engineOn(memory()), 'never'),
  'lk-memory': async () => started(engineOn(memory()), 'read'),
  'lk-redis': async (env) =>
    started(engineOn(redisStore(await redisClient(env), { prefix: 'lk-read:' })), 'read'),
  'lk-sqlite': async (env) =>
    started(engineOn(sqliteStore({ client: countedLibsql(env, 'lk-sqlite') })), 'read'),
  'lk-pg': async (env) => {
    const store = postgresStore({ client: countedPool(env, 'lk-pg') });
    await store.migrate();
    return started(engineOn(store), 'read');
  },
  'lk-sealed-cached': async () => started(sealed(true), 'read'),
  'lk-sealed-uncached': async () => started(sealed(false), 'read'),
  'lk-fetch': async () => {
    const engine = engineOn(memory());
    let users = 0;
    const handler = withSessions(engine, async ({ request, session }) => {
      if (request.method === 'POST') {
        await session.login(`user-${users++}`);
        return new Response('signed in');
      }
      const outcome = await session.load();
      if (!outcome.valid) return expiryResponse(request, outcome);
      return new Response(`hello ${outcome.session.userId}`);
    });
    const port = await serveFetch((request) => handler(request));
    return { port, request: read(await signIn(port)) };
  },
  'lk-express': async () => {
    const app = express();
    let users = 0;
    app.use(latchkeyMiddleware(engineOn(memory())));
    app.post('/login', async (req, res) => {
      await req.session.login(`user-${users++}`);
      res.send('signed in');
    });
    app.get('/', async (req, res) => {
      const outcome = await req.session.load();
      if (!outcome.valid) res.status(401).send('no');
      else res.send(`hello ${outcome.session.userId}`);
    });
    const port = await serveNode(app);
    return { port, request: read(await signIn(port)) };
  },
  'lk-express-compat': async () => {
    // The drop-in as docs/migrating-from-express-session.md writes it: express-session's routes unchanged.
    const app = express();
    let users = 0;
    app.use(expressSession({ latchkey: { policy: presets.productivity, store: memory() } }));
    app.post('/login', (req, res, next) => {
      req.session.regenerate((error) => {
        if (error) return next(error);
        (req.session as unknown as { userId: string }).userId = `user-${users++}`;
        res.send('signed in');
      });
    });
    app.get('/', (req, res) => {
      const s = req.session as unknown as { userId?: string };
      if (!s.userId) return void res.status(401).send('no');
      res.send(`hello ${s.userId}`);
    });
    const port = await serveNode(app);
    return { port, request: read(await signIn(port)) };
  },
  'lk-touch-past': async () => {
    // Every request moves the clock one touch interval and a millisecond on, so every read is due a touch.
    const clock = new ManualClock();
    const policy = definePolicy({
      ...presets.productivity,
      touchInterval: '1s',
      renewInterval: false,
      absoluteTimeout: '400d',
    });
    const engine = createLatchkey({ policy, store: new MemoryStore({ clock }), clock });
    const app = new Hono<SessionEnv>();
    app.use(async (_c, next) => {
      clock.advance(1001);
      await next();
    });
    app.route('/', honoApp(engine, 'read'));
    const port = await serveFetch(app.fetch);
    return { port, request: read(await signIn(port)) };
  },
  'lk-write-memory': async () => started(engineOn(memory()), 'write', { sessions: PER_CONNECTION }),
  'lk-write-redis': async (env) =>
    started(engineOn(redisStore(await redisClient(env), { prefix: 'lk-write:' })), 'write', {
      sessions: PER_CONNECTION,
    }),
  'lk-write-sqlite': async (env) =>
    started(engineOn(sqliteStore({ client: countedLibsql(env, 'lk-write-sqlite') })), 'write', {
      sessions: PER_CONNECTION,
    }),
  'lk-write-sealed': async () => started(sealed(true), 'write', { sessions: PER_CONNECTION }),
  'lk-login-memory': async () => {
    const port = await serveFetch(honoApp(engineOn(memory()), 'read').fetch);
    return { port, request: { method: 'POST', path: '/login', headers: {} } };
  },
  'lk-login-sealed': async () => {
    const port = await serveFetch(honoApp(sealed(true), 'read').fetch);
    return { port, request: { method: 'POST', path: '/login', headers: {} } };
  },
  'lk-refresh': async () => {
    const issuer = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: SECRET }],
      store: memory(),
      policy: presets.api,
    });
    let users = 0;
    const app = new Hono();
    app.post('/issue', async (c) => c.json(await issuer.issue(`user-${users++}`)));
    app.post('/refresh', async (c) => {
      const outcome = await issuer.refresh(c.req.header('x-refresh-token') ?? '');
      return outcome.valid ? c.json(outcome.tokens) : c.json({ error: outcome.reason }, 401);
    });
    const port = await serveFetch(app.fetch);
    return { port, request: { method: 'POST', path: '/refresh', headers: {}, chain: 'refresh' } };
  },
  'lk-3k-memory': async () => started(engineOn(memory()), 'read', { loginData: payload(3000) }),
  'lk-3k-sealed-cached': async () => started(sealed(true), 'read', { loginData: payload(3000) }),
  'lk-3k-sealed-uncached': async () => started(sealed(false), 'read', { loginData: payload(3000) }),
  'lk-parallel-memory': async () => started(engineOn(memory()), 'write'),
  'lk-parallel-redis': async (env) =>
    started(engineOn(redisStore(await redisClient(env), { prefix: 'lk-par:' })), 'write'),
};
