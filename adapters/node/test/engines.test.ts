// @latchkey/node with either engine and its failure answers: sealed sessions through Express and
// createHandler, a write that keeps losing its race answered 409 over HTTP, the client address passed as
// device facts, and a wrong value where the engine belongs refused at construction.
import express from 'express';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  presets,
  type SessionEngine,
  type SessionStore,
} from '@latchkey/core';
import { createSealedSessions } from '@latchkey/core/sealed';
import { ManualClock } from '@latchkey/core/testing';
import { createHandler, latchkeyErrorHandler, latchkeyMiddleware } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const policy = { idleTimeout: '10m', absoluteTimeout: '1h' } as const;
const cookie = { development: true, warn: () => {} };
const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

function sealedEngine(clock = new ManualClock()) {
  return createSealedSessions({ policy, secrets: ['n'.repeat(32)], clock, cookie });
}

/**
 * A real MemoryStore whose compareAndSet always answers false: an honest way to lose every race, as if
 * another request always wrote first. Plain writes (login) still land; saving a change cannot.
 */
function alwaysLosingEngine() {
  const clock = new ManualClock();
  const inner = new MemoryStore({ clock });
  const store: SessionStore = {
    name: 'always-losing',
    userIndex: inner.userIndex,
    get: (key) => inner.get(key),
    set: (key, value, ttl) => inner.set(key, value, ttl),
    delete: (key) => inner.delete(key),
    compareAndSet: async () => false,
  };
  return createLatchkey({ policy, store, clock, cookie });
}

function expressApp(engine: SessionEngine) {
  const app = express();
  app.use(latchkeyMiddleware(engine));
  app.post('/login', async (req, res) => {
    await req.session.login('ada');
    res.json({ ok: true });
  });
  app.post('/note', async (req, res) => {
    const outcome = await req.session.load();
    if (outcome.valid) outcome.session.set('note', 'hi');
    res.json({ saved: true });
  });
  app.post('/privilege', async (req, res) => {
    await req.session.regenerate();
    res.json({ regenerated: true });
  });
  app.get('/me', async (req, res) => {
    const outcome = await req.session.load();
    res.json(outcome.valid ? { user: outcome.session.userId, data: outcome.session.data } : null);
  });
  app.use(latchkeyErrorHandler());
  return app;
}

const routes = (engine: SessionEngine) =>
  createHandler(engine, async ({ request, session }) => {
    const path = new URL(request.url).pathname;
    if (path === '/login') return (await session.login('ada'), Response.json({ ok: true }));
    if (path === '/privilege')
      return (await session.regenerate(), Response.json({ regenerated: true }));
    const outcome = await session.load();
    if (path === '/note' && outcome.valid) outcome.session.set('note', 'hi');
    if (path === '/note') return Response.json({ saved: true });
    return Response.json(
      outcome.valid
        ? {
            user: outcome.session.userId,
            data: outcome.session.data,
            ip: outcome.session.device.ip,
          }
        : null,
    );
  });

const servedBy = {
  'Express middleware': (engine: SessionEngine) => listen(expressApp(engine)),
  createHandler: (engine: SessionEngine) => listen(routes(engine)),
};

for (const [name, serve] of Object.entries(servedBy)) {
  describe(`${name} with either engine`, () => {
    it('runs sealed sessions: the cookie alone carries the user and the data', async () => {
      const base = await serve(sealedEngine());
      const login = await fetch(`${base}/login`, { method: 'POST' });
      expect(login.status).toBe(200);
      const jar = cookiesOf(login);
      const noted = await fetch(`${base}/note`, { method: 'POST', headers: { cookie: jar } });
      const me = await fetch(`${base}/me`, { headers: { cookie: cookiesOf(noted) || jar } });
      expect(await me.json()).toMatchObject({ user: 'ada', data: { note: 'hi' } });
    });

    it('answers a write that keeps losing its race with 409 and Retry-After, never 500', async () => {
      const base = await serve(alwaysLosingEngine());
      const jar = cookiesOf(await fetch(`${base}/login`, { method: 'POST' }));
      const note = await fetch(`${base}/note`, {
        method: 'POST',
        headers: { cookie: jar, accept: 'application/json' },
      });
      expect(note.status).toBe(409); // not "saved": the note was not saved
      expect(note.headers.get('retry-after')).toBe('1');
      expect(await note.json()).toEqual({ error: 'session_conflict' });
      // Thrown inside the handler (a regeneration that cannot move the session) rather than at commit.
      const privilege = await fetch(`${base}/privilege`, {
        method: 'POST',
        headers: { cookie: jar, accept: 'application/json' },
      });
      expect([privilege.status, await privilege.json()]).toEqual([
        409,
        { error: 'session_conflict' },
      ]);
    });
  });
}

describe('createHandler device facts', () => {
  it("passes the socket's peer address, and X-Forwarded-For only with trustProxy", async () => {
    const engine = createLatchkey({ policy, store: new MemoryStore(), cookie });
    for (const [trustProxy, ip] of [
      [false, '127.0.0.1'],
      [true, '203.0.113.9'],
    ] as const) {
      const handler = createHandler(
        engine,
        async ({ request, session }) => {
          if (new URL(request.url).pathname === '/login') await session.login('ada');
          const outcome = await session.load();
          return Response.json(outcome.valid ? outcome.session.device.ip : null);
        },
        { trustProxy },
      );
      const base = await listen(handler);
      const login = await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expect(await login.json()).toBe(ip);
    }
  });
});

describe('a wrong value where the engine belongs', () => {
  it('is refused when the app is built, with a TypeError naming createLatchkey', () => {
    const fix = /createLatchkey\(\{ policy: presets\.productivity, store \}\)/;
    expect(() => latchkeyMiddleware(undefined as never)).toThrow(TypeError);
    expect(() => latchkeyMiddleware(undefined as never)).toThrow(
      /^latchkeyMiddleware\(\): expected a session engine, got undefined/,
    );
    expect(() => latchkeyMiddleware(presets.productivity as never)).toThrow(fix);
    expect(() => createHandler({} as never, () => new Response())).toThrow(
      /^createHandler\(\): .*createLatchkey/,
    );
  });
});
