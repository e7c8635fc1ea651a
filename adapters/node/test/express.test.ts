// Express middleware and node:http handler specifics beyond the scenario suite: streamed responses,
// explicit writeHead, commit failures, client IPs, handler errors.
import express from 'express';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore, type SessionStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { createHandler, latchkeyErrorHandler, latchkeyMiddleware } from '../src/index.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function listen(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function setup() {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const state = { failWrites: false };
  const store: SessionStore = {
    name: 'write-failing',
    userIndex: memory.userIndex,
    get: (key) => memory.get(key),
    set: async (key, value, ttl) => {
      if (state.failWrites) throw new Error('read-only replica');
      return memory.set(key, value, ttl);
    },
    delete: (key) => memory.delete(key),
  };
  const latchkey = createLatchkey({
    policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
    store,
    clock,
    cookie: { development: true, warn: () => {} },
  });
  return { latchkey, state };
}

/** A raw request through node:http's client (fetch refuses TRACE); resolves to status and headers. */
function rawRequest(
  base: string,
  method: string,
): Promise<{ status: number; allow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/`, { method }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sessionCookie = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith('session='))!
    .split(';')[0]!;

describe('latchkeyMiddleware', () => {
  function app(trustProxy = false) {
    const { latchkey, state } = setup();
    const app = express();
    app.use(latchkeyMiddleware(latchkey, { trustProxy }));
    app.post('/login', async (req, res) => {
      const session = await req.session.login('ada');
      res.json({ handle: session.handle });
    });
    app.post('/login-writehead', async (req, res) => {
      await req.session.login('ada');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('in');
    });
    app.get('/stream', async (req, res) => {
      const outcome = await req.session.load();
      res.write('first ');
      if (outcome.valid) outcome.session.set('late', 'written after the first byte');
      res.end('last');
    });
    app.post('/note', async (req, res) => {
      const outcome = await req.session.load();
      if (outcome.valid) outcome.session.set('note', 'hi');
      res.json({ saved: true });
    });
    app.get('/me', async (req, res) => {
      const outcome = await req.session.load();
      res.json(
        outcome.valid ? { data: outcome.session.data, handle: outcome.session.handle } : null,
      );
    });
    app.get('/devices', async (req, res) => {
      res.json(await latchkey.listSessions('ada'));
    });
    app.use(latchkeyErrorHandler());
    return { app, state };
  }

  it('sets the cookie when the handler calls writeHead itself', async () => {
    const base = await listen(app().app);
    const response = await fetch(`${base}/login-writehead`, { method: 'POST' });
    expect(await response.text()).toBe('in');
    expect(sessionCookie(response)).toMatch(/^session=[A-Za-z0-9_-]{43}$/);
  });

  it('saves data changed after the first byte of a streamed response before the response ends', async () => {
    const base = await listen(app().app);
    const cookie = sessionCookie(await fetch(`${base}/login`, { method: 'POST' }));
    expect(await (await fetch(`${base}/stream`, { headers: { cookie } })).text()).toBe(
      'first last',
    );
    const me = await (await fetch(`${base}/me`, { headers: { cookie } })).json();
    expect(me.data).toEqual({ late: 'written after the first byte' });
  });

  it("answers 503 instead of the handler's response when the commit cannot be written", async () => {
    const { app: application, state } = app();
    const base = await listen(application);
    const cookie = sessionCookie(await fetch(`${base}/login`, { method: 'POST' }));
    state.failWrites = true;
    const response = await fetch(`${base}/note`, {
      method: 'POST',
      headers: { cookie, accept: 'application/json' },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'session_store_unavailable' });
  });

  it('answers TRACE, which a Web Request cannot carry, with 405 rather than a 500', async () => {
    const base = await listen(app().app);
    expect(await rawRequest(base, 'TRACE')).toEqual({
      status: 405,
      allow: expect.stringContaining('GET'),
    });
    expect((await fetch(`${base}/me`)).status).toBe(200);
  });

  it('records the peer address, not X-Forwarded-For, unless trustProxy is on', async () => {
    for (const [trustProxy, ip] of [
      [false, '127.0.0.1'],
      [true, '203.0.113.9'],
    ] as const) {
      const base = await listen(app(trustProxy).app);
      await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      const [device] = await (await fetch(`${base}/devices`)).json();
      expect(device.device.ip).toBe(ip);
      server!.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    }
  });
});

describe('createHandler', () => {
  it('aborts request.signal when the client goes away', async () => {
    const { latchkey } = setup();
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => (started = resolve));
    const aborted = new Promise<string>((resolve) => {
      void listen(
        createHandler(latchkey, ({ request }) => {
          request.signal.addEventListener('abort', () => resolve('aborted'));
          started();
          return new Promise<Response>(() => {}); // never answers
        }),
      ).then(async (base) => {
        const client = new AbortController();
        const pending = fetch(base, { signal: client.signal }).catch(() => undefined);
        await inHandler;
        client.abort();
        await pending;
      });
    });
    expect(await aborted).toBe('aborted');
  });

  it('answers TRACE with 405 instead of throwing out of the listener (which took the whole server down)', async () => {
    const { latchkey } = setup();
    const errors: unknown[] = [];
    const base = await listen(
      createHandler(latchkey, () => new Response('ok'), { onError: (e) => errors.push(e) }),
    );
    expect(await rawRequest(base, 'TRACE')).toEqual({
      status: 405,
      allow: expect.stringContaining('GET'),
    });
    expect(await (await fetch(base)).text()).toBe('ok');
    expect(errors).toEqual([]);
  });

  it('answers a handler bug with a 500 and reports it to onError', async () => {
    const { latchkey } = setup();
    const errors: unknown[] = [];
    const base = await listen(
      createHandler(
        latchkey,
        () => {
          throw new Error('bug');
        },
        { onError: (e) => errors.push(e) },
      ),
    );
    const response = await fetch(base);
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
  });
});
