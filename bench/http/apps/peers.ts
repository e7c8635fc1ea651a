/**
 * The session libraries people use today, each configured as its README
 * recommends, with Latchkey's lifetimes (idle 30 min, absolute 24 h where the
 * library has both) and cookie settings (HttpOnly, Secure, SameSite=Lax, Path=/).
 * Where a library cannot be configured equally, docs/benchmarks.md says so.
 */

import { useSession as honoSession, type Session as HonoSession } from '@hono/session';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { H3, toNodeHandler, useSession as h3Session } from 'h3';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { MemoryStore as HonoSessionsMemory, sessionMiddleware, type Session } from 'hono-sessions';
import { sealData, unsealData } from 'iron-session';
import { createClient } from 'redis';
import { ABSOLUTE_S, IDLE_S, SECRET, type App } from './env.js';
import { payload, read, serveFetch, serveNode, signIn } from './serve.js';

/** @hono/session wants a 32-byte hex string. */
const HEX_SECRET = Buffer.from(SECRET.slice(0, 32)).toString('hex');
const cookieAttrs = { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' } as const;

type HonoData = { userId: string; n: number };
// The Latchkey adapter types `c.var.session` as its own for the whole program; this app's is @hono/session's.
const honoSessionOf = (c: Context) => c.get('session') as unknown as HonoSession<HonoData>;

async function honoSessionApp(secret: string | CryptoKey, write = false) {
  const app = new Hono();
  app.use(honoSession({ secret, duration: { absolute: ABSOLUTE_S, inactivity: IDLE_S } }));
  app.post('/login', async (c) => {
    await honoSessionOf(c).update({ userId: 'alice', n: 0 });
    return c.text('signed in');
  });
  app.get('/', async (c) => {
    const data = await honoSessionOf(c).get();
    if (!data) return c.text('no', 401);
    if (write) await honoSessionOf(c).update({ ...data, n: data.n + 1 });
    return c.text(`hello ${data.userId}`);
  });
  const port = await serveFetch(app.fetch);
  const cookies: string[] = [];
  for (let i = 0; i < (write ? 50 : 1); i++) cookies.push(await signIn(port));
  const request = read(cookies[0]!);
  if (write) request.cookies = cookies;
  return { port, request };
}

const aesKey = () =>
  crypto.subtle.importKey('raw', Buffer.from(HEX_SECRET, 'hex'), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);

async function ironApp(data: Record<string, unknown>) {
  const app = new Hono();
  const options = { password: SECRET, ttl: ABSOLUTE_S };
  app.post('/login', async (c) => {
    setCookie(c, 'iron', await sealData({ userId: 'alice', ...data }, options), {
      ...cookieAttrs,
      maxAge: ABSOLUTE_S,
    });
    return c.text('signed in');
  });
  app.get('/', async (c) => {
    const cookie = getCookie(c, 'iron');
    const session = cookie ? await unsealData<{ userId?: string }>(cookie, options) : {};
    return session.userId ? c.text(`hello ${session.userId}`) : c.text('no', 401);
  });
  const port = await serveFetch(app.fetch);
  return { port, request: read(await signIn(port)) };
}

async function expressSessionApp(store?: session.Store, write = false) {
  const app = express();
  // express-session sets a Secure cookie only over HTTPS: the sign-in says so through X-Forwarded-Proto.
  app.set('trust proxy', 'loopback');
  app.use(
    session({
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
      ...(store ? { store } : {}),
      cookie: { httpOnly: true, secure: true, sameSite: 'lax', maxAge: IDLE_S * 1000 },
    }),
  );
  app.post('/login', (req, res, next) => {
    req.session.regenerate((error) => {
      if (error) return next(error);
      (req.session as unknown as { userId: string; n: number }).userId = 'alice';
      (req.session as unknown as { n: number }).n = 0;
      res.send('signed in');
    });
  });
  app.get('/', (req, res) => {
    const s = req.session as unknown as { userId?: string; n: number };
    if (!s.userId) return void res.status(401).send('no');
    if (write) s.n++;
    res.send(`hello ${s.userId}`);
  });
  const port = await serveNode(app);
  const cookies: string[] = [];
  for (let i = 0; i < (write ? 50 : 1); i++)
    cookies.push(await signIn(port, '/login', { 'x-forwarded-proto': 'https' }));
  const request = read(cookies[0]!);
  if (write) request.cookies = cookies;
  return { port, request };
}

export const peerApps: Record<string, App> = {
  'hono-session': () => honoSessionApp(HEX_SECRET),
  'hono-session-key': async () => honoSessionApp(await aesKey()),
  'hono-session-write': async () => honoSessionApp(await aesKey(), true),
  async 'hono-sessions'() {
    const app = new Hono<{
      Variables: { session: Session<{ userId: string }>; session_key_rotation: boolean };
    }>();
    app.use(
      sessionMiddleware({
        store: new HonoSessionsMemory(),
        encryptionKey: SECRET,
        expireAfterSeconds: IDLE_S,
        cookieOptions: { sameSite: 'Lax', path: '/', httpOnly: true, secure: true },
      }),
    );
    app.post('/login', (c) => {
      c.get('session').set('userId', 'alice');
      return c.text('signed in');
    });
    app.get('/', (c) => {
      const user = c.get('session').get('userId');
      return user ? c.text(`hello ${user}`) : c.text('no', 401);
    });
    const port = await serveFetch(app.fetch);
    return { port, request: read(await signIn(port)) };
  },
  'iron-session': () => ironApp({}),
  'iron-3k': () => ironApp(payload(3000)),
  async h3() {
    const app = new H3().get('/', () => 'hello');
    return { port: await serveNode(toNodeHandler(app)), request: read('') };
  },
  async 'h3-session'() {
    const config = {
      password: SECRET,
      maxAge: ABSOLUTE_S,
      idleTimeout: IDLE_S,
      cookie: { httpOnly: true, secure: true, sameSite: 'lax' as const, path: '/' },
    };
    const app = new H3()
      .post('/login', async (event) => {
        const s = await h3Session<{ userId?: string }>(event, config);
        await s.update({ userId: 'alice' });
        return 'signed in';
      })
      .get('/', async (event) => {
        const s = await h3Session<{ userId?: string }>(event, config);
        if (!s.data.userId) {
          event.res.status = 401;
          return 'no';
        }
        return `hello ${s.data.userId}`;
      });
    const port = await serveNode(toNodeHandler(app));
    return { port, request: read(await signIn(port)) };
  },
  'express-session': () => expressSessionApp(),
  'express-session-write': () => expressSessionApp(undefined, true),
  async 'express-session-redis'(env) {
    const client = createClient({ url: env.redisUrl! });
    client.on('error', () => {});
    await client.connect();
    return expressSessionApp(new RedisStore({ client, prefix: 'es:' }));
  },
};
