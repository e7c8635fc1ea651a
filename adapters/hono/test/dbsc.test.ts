// DBSC through Hono: the endpoints middleware, requireDeviceBound(), and the fake DBSC browser
// from @latchkey/core/testing driving a real Hono app (and Firefox-like fallback).
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore, presets } from '@latchkey/core';
import { deviceBoundSessions } from '@latchkey/core/dbsc';
import { DbscBrowser, ManualClock } from '@latchkey/core/testing';
import { dbscEndpoints, latchkey, requireDeviceBound, requireSession } from '../src/index.js';

const ORIGIN = 'https://app.example';

function app(deviceBinding: 'offered' | 'required') {
  const clock = new ManualClock();
  const dbsc = deviceBoundSessions();
  const engine = createLatchkey({
    policy: { ...presets.productivity, rememberMe: false, deviceBinding },
    store: new MemoryStore({ clock }),
    clock,
    deviceBinding: dbsc,
  });
  const hono = new Hono();
  hono.use(dbscEndpoints(dbsc), latchkey(engine, { csrf: true }));
  hono.post('/login', async (c) => {
    await c.var.session.login('alice');
    return c.text('signed in');
  });
  hono.get('/inbox', requireSession(), (c) => c.text(`inbox of ${c.var.session.current.userId}`));
  hono.post('/transfer', requireDeviceBound(), (c) =>
    c.text(`sent by ${c.var.session.current.userId}`),
  );
  const fetch = async (request: Request) => hono.fetch(request);
  return { clock, fetch };
}

describe('@latchkey/hono with DBSC', () => {
  it('registers, refreshes behind a page request, and lets the bound session transfer', async () => {
    const { clock, fetch } = app('required');
    const chrome = new DbscBrowser({ fetch, now: () => clock.now() });
    await chrome.fetch(`${ORIGIN}/login`, { method: 'POST' });
    expect(chrome.sessions.size).toBe(1);
    clock.advance('11m');
    const inbox = await chrome.fetch(`${ORIGIN}/inbox`);
    expect(await inbox.text()).toBe('inbox of alice');
    expect(chrome.log.map((x) => `${x.kind} ${x.status}`)).toEqual([
      'registration 200',
      'refresh 403',
      'refresh 200',
    ]);
    expect((await chrome.fetch(`${ORIGIN}/transfer`, { method: 'POST' })).status).toBe(200);
  });

  it("a browser without DBSC signs in; required routes refuse it with 403, 'offered' lets it through", async () => {
    for (const [mode, status] of [
      ['required', 403],
      ['offered', 200],
    ] as const) {
      const { clock, fetch } = app(mode);
      const firefox = new DbscBrowser({ fetch, now: () => clock.now(), dbsc: false });
      await firefox.fetch(`${ORIGIN}/login`, { method: 'POST' });
      expect(await (await firefox.fetch(`${ORIGIN}/inbox`)).text()).toBe('inbox of alice');
      const transfer = await firefox.fetch(`${ORIGIN}/transfer`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      expect(transfer.status).toBe(status);
      if (status === 403)
        expect(await transfer.json()).toEqual({ error: 'device_binding_required' });
    }
  });

  it('a copied long-lived cookie opens nothing', async () => {
    const { clock, fetch } = app('required');
    const chrome = new DbscBrowser({ fetch, now: () => clock.now() });
    await chrome.fetch(`${ORIGIN}/login`, { method: 'POST' });
    const stolen = chrome.cookie('__Secure-session')!;
    const r = await fetch(
      new Request(`${ORIGIN}/inbox`, {
        headers: { cookie: `__Host-session=${stolen}`, accept: 'application/json' },
      }),
    );
    expect(r.status).toBe(401);
  });

  it('refuses a binding object that is not one', () => {
    expect(() => dbscEndpoints({} as never)).toThrow(TypeError);
  });
});
