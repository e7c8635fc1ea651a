// DBSC through Express over real HTTP: dbscEndpoints(), requireDeviceBound(), and the fake DBSC
// browser from @latchkey/core/testing, on http://localhost with development cookies.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore } from '@latchkey/core';
import { deviceBoundSessions } from '@latchkey/core/dbsc';
import { DbscBrowser, ManualClock } from '@latchkey/core/testing';
import { dbscEndpoints, latchkeyMiddleware, requireDeviceBound } from '../src/index.js';

const clock = new ManualClock();
const dbsc = deviceBoundSessions();
const engine = createLatchkey({
  policy: { idleTimeout: '30m', absoluteTimeout: '8h', deviceBinding: 'required' },
  store: new MemoryStore({ clock }),
  clock,
  cookie: { development: true, warn: () => {} },
  deviceBinding: dbsc,
});
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(dbscEndpoints(dbsc), latchkeyMiddleware(engine));
  app.post('/login', async (req, res) => {
    await req.session.login('alice');
    res.send('signed in');
  });
  app.post('/transfer', requireDeviceBound(engine), async (req, res) => {
    const outcome = await req.session.load();
    res.send(`sent by ${outcome.valid ? outcome.session.userId : '?'}`);
  });
  server = app.listen(0, 'localhost');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('@latchkey/node with DBSC', () => {
  it('a DBSC browser registers, refreshes over HTTP, and passes the guard', async () => {
    const chrome = new DbscBrowser({ fetch: (r) => fetch(r), now: () => clock.now() });
    await chrome.fetch(`${base}/login`, { method: 'POST' });
    expect(chrome.sessions.size).toBe(1);
    clock.advance('11m');
    const r = await chrome.fetch(`${base}/transfer`, { method: 'POST' });
    expect(await r.text()).toBe('sent by alice');
    expect(chrome.log.map((x) => `${x.kind} ${x.status}`)).toEqual([
      'registration 200',
      'refresh 403',
      'refresh 200',
    ]);
  });

  it('a browser without DBSC is refused by the guard with 403 device_binding_required', async () => {
    const firefox = new DbscBrowser({
      fetch: (r) => fetch(r),
      now: () => clock.now(),
      dbsc: false,
    });
    await firefox.fetch(`${base}/login`, { method: 'POST' });
    const r = await firefox.fetch(`${base}/transfer`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({ error: 'device_binding_required' });
  });
});
