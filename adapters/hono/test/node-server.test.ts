// @latchkey/hono served by @hono/node-server with its defaults: it replaces the global Response with
// a lightweight class, and a handler that returns a proxied fetch() response (immutable headers)
// must still get its session cookie, on a login and on a periodic ID renewal (issue 7, defect 7).
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { latchkey, requireSession } from '../src/index.js';

const platformResponse = globalThis.Response;
const clock = new ManualClock();
const engine = createLatchkey({
  policy: { idleTimeout: '30m', absoluteTimeout: '8h', renewInterval: '10m' },
  store: new MemoryStore({ clock }),
  clock,
  cookie: { development: true, warn: () => {} },
});

let upstream: Server;
let app: ServerType;
let base = '';
beforeAll(async () => {
  upstream = createServer((_, res) =>
    res.writeHead(200, { 'x-upstream': 'yes' }).end('from upstream'),
  );
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
  const hono = new Hono();
  hono.use(latchkey(engine));
  hono.post('/login', async (c) => {
    await c.var.session.login('ada');
    return fetch(upstreamUrl);
  });
  hono.get('/proxy', requireSession(), () => fetch(upstreamUrl));
  // Defaults: overrideGlobalObjects is on, so Response is @hono/node-server's own class from here on.
  await new Promise<void>((resolve) => {
    app = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      base = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
  await new Promise((resolve) => upstream.close(resolve));
});

const sessionCookie = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith('session='))
    ?.split(';')[0];

describe('@hono/node-server with its global Response, and proxied fetch() responses', () => {
  it('a login answered with a fetch() response sets the cookie and keeps the upstream body', async () => {
    // The lightweight class, not the platform's (the condition this test is about).
    expect(globalThis.Response).not.toBe(platformResponse);
    const response = await fetch(`${base}/login`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.text()).toBe('from upstream');
    expect(sessionCookie(response)).toMatch(/^session=/);
  });

  it('a renewal on a fetch() response sets the new ID, and the user stays signed in', async () => {
    const cookie = sessionCookie(await fetch(`${base}/login`, { method: 'POST' }))!;
    clock.advance('11m'); // a renewal is due
    const renewed = await fetch(`${base}/proxy`, { headers: { cookie } });
    expect(renewed.status).toBe(200);
    expect(await renewed.text()).toBe('from upstream');
    const next = sessionCookie(renewed);
    expect(next).toBeDefined();
    expect(next).not.toBe(cookie);
    const after = await fetch(`${base}/proxy`, { headers: { cookie: next! } });
    expect(after.status).toBe(200);
  });
});
