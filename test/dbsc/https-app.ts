/**
 * A Hono app with device-bound sessions served over HTTPS on loopback (a throwaway self-signed
 * certificate), for real Chromium: it records every DBSC request and its answer, and the events.
 */
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLatchkey, MemoryStore, type SessionEvent, type SessionStore } from '@latchkey/core';
import { deviceBoundSessions, isDeviceBound } from '@latchkey/core/dbsc';
import { dbscEndpoints, latchkey } from '@latchkey/hono';
import { selfSignedCert } from '../../packages/audit/test/fixtures/self-signed.js';

/** One DBSC request as the server saw it. */
export interface DbscHit {
  path: string;
  sessionId: string | null;
  proof: boolean;
  status: number;
  body: string;
}

export interface HttpsApp {
  origin: string;
  /** Base64 SHA-256 of the certificate's SPKI, for `--ignore-certificate-errors-spki-list`. */
  spki: string;
  hits: DbscHit[];
  events: SessionEvent[];
  /** Drop every outstanding challenge, as if their TTL had passed: the next proof gets a 403. */
  expireChallenges(): Promise<void>;
  close(): Promise<void>;
}

export async function startHttpsApp(): Promise<HttpsApp> {
  const { key, cert } = selfSignedCert();
  const spki = createHash('sha256')
    .update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  const events: SessionEvent[] = [];
  const hits: DbscHit[] = [];
  const dbsc = deviceBoundSessions({ boundCookieLifetime: '10m' });
  // The memory store, noting the challenge keys it is given so a test can expire them.
  const memory = new MemoryStore();
  const challengeKeys = new Set<string>();
  const store: SessionStore = {
    name: 'memory (challenges noted)',
    userIndex: memory.userIndex,
    get: (key) => memory.get(key),
    set: (key, value, ttl) => {
      if (key.startsWith('lk:dbsc:c:')) challengeKeys.add(key);
      return memory.set(key, value, ttl);
    },
    delete: (key) => memory.delete(key),
    consume: (key) => memory.consume(key),
    compareAndSet: (key, expected, value, ttl) => memory.compareAndSet(key, expected, value, ttl),
  };
  const engine = createLatchkey({
    policy: { idleTimeout: '30m', absoluteTimeout: '8h', deviceBinding: 'required' },
    store,
    deviceBinding: dbsc,
    onEvent: (e) => void events.push(e),
  });
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    const path = new URL(c.req.url).pathname;
    if (path !== dbsc.registrationPath && path !== dbsc.refreshPath) return;
    hits.push({
      path,
      sessionId: c.req.header('sec-secure-session-id') ?? null,
      proof: c.req.header('secure-session-response') !== undefined,
      status: c.res.status,
      body: await c.res.clone().text(),
    });
  });
  app.use(dbscEndpoints(dbsc), latchkey(engine));
  app.get('/', (c) => c.html('<!doctype html><title>dbsc</title><p>dbsc demo</p>'));
  app.post('/login', async (c) => {
    await c.var.session.login('alice');
    return c.text('signed in');
  });
  app.post('/logout', async (c) => {
    await c.var.session.logout();
    return c.text('bye');
  });
  app.get('/me', async (c) => {
    const outcome = await c.var.session.load();
    if (!outcome.valid) return c.json({ reason: outcome.reason }, 401);
    return c.json({ user: outcome.session.userId, bound: isDeviceBound(outcome.session) });
  });
  const server = createAdaptorServer({
    fetch: app.fetch,
    createServer,
    serverOptions: { key, cert },
  }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    spki,
    hits,
    events,
    async expireChallenges() {
      for (const key of challengeKeys) await memory.delete(key);
      challengeKeys.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
