/**
 * The example app (examples/basic) driven in-process through its fetch
 * handler, with an injected ManualClock: what a newcomer clicks through in a
 * browser, checked as a browser would see it (status, Location, Set-Cookie,
 * JSON). The cookie is carried by hand, the way a cookie jar would.
 */

import { ManualClock } from '@latchkey/core/testing';
import { MemoryStore } from '@latchkey/core';
import { describe, expect, it } from 'vitest';
import { createApp } from '../examples/basic/app.js';

const ORIGIN = 'http://localhost:3000';

function setup() {
  const clock = new ManualClock();
  const app = createApp({
    clock,
    store: new MemoryStore({ clock }),
    development: true,
    warn: () => {},
  });

  const get = (path: string, cookie?: string, accept = 'text/html') =>
    app.fetch(new Request(ORIGIN + path, { headers: { accept, ...(cookie ? { cookie } : {}) } }));
  const post = (
    path: string,
    form: Record<string, string>,
    cookie?: string,
    origin: string | null = ORIGIN,
  ) =>
    app.fetch(
      new Request(ORIGIN + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(origin === null ? {} : { origin }),
          ...(cookie ? { cookie } : {}),
        },
        body: new URLSearchParams(form).toString(),
      }),
    );
  const me = (cookie?: string) => get('/api/me', cookie, 'application/json');

  /** Sign in and return the `name=value` pair a browser would send back. */
  async function login(username: string): Promise<string> {
    const res = await post('/login', { username });
    expect(res.status).toBe(303);
    const [setCookie] = res.headers.getSetCookie();
    expect(setCookie).toMatch(/^session=[A-Za-z0-9_-]{43};.*HttpOnly/);
    return setCookie!.split(';')[0]!;
  }

  return { app, clock, get, post, me, login };
}

describe('examples/basic', () => {
  it('signs in with a cookie, and /api/me and the home page show the session', async () => {
    const { me, get, login } = setup();
    const cookie = await login('alice');
    const res = await me(cookie);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: string; handle: string };
    expect(body.user).toBe('alice');
    expect(body.handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain(body.handle); // the public handle is not the secret
    const home = await get('/', cookie);
    expect(home.status).toBe(200);
    const page = await home.text();
    expect(page).toContain('Signed in as alice');
    expect(page).toContain(body.handle);
  });

  it('sends a page request without a session to the login page, and a JSON one gets 401', async () => {
    const { get, me } = setup();
    const page = await get('/');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?returnTo=%2F');
    const api = await me();
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'session_expired', reason: 'unauthenticated' });
  });

  it('logout ends the session on the server: the old cookie then gets 401 unauthenticated', async () => {
    const { post, me, login } = setup();
    const cookie = await login('alice');
    const res = await post('/logout', {}, cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie()[0]).toMatch(/^session=;.*Max-Age=0/);
    const after = await me(cookie); // a client that ignored the clearing cookie
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: 'session_expired', reason: 'unauthenticated' });
  });

  it('"log out everywhere" ends the user\'s other sessions too, and no one else\'s', async () => {
    const { post, me, login } = setup();
    const laptop = await login('alice');
    const phone = await login('alice');
    const bob = await login('bob');
    expect((await post('/logout-everywhere', {}, laptop)).status).toBe(303);
    const res = await me(phone);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'session_expired', reason: 'revoked' });
    expect((await me(laptop)).status).toBe(401);
    expect((await me(bob)).status).toBe(200);
  });

  it('"end this session" ends one of the user\'s devices, and refuses another user\'s handle', async () => {
    const { post, me, login } = setup();
    const laptop = await login('alice');
    const phone = await login('alice');
    const bob = await login('bob');
    const handleOf = async (cookie: string) =>
      ((await (await me(cookie)).json()) as { handle: string }).handle;
    const phoneHandle = await handleOf(phone);
    const bobHandle = await handleOf(bob);

    expect((await post('/sessions/end', { handle: bobHandle }, laptop)).status).toBe(404);
    expect((await me(bob)).status).toBe(200);

    expect((await post('/sessions/end', { handle: phoneHandle }, laptop)).status).toBe(303);
    const res = await me(phone);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'session_expired', reason: 'revoked' });
    expect((await me(laptop)).status).toBe(200);
  });

  it('refuses a POST without a same-origin Origin, and the session survives it', async () => {
    const { post, me, login } = setup();
    const cookie = await login('alice');
    for (const origin of ['https://evil.example', 'http://localhost:3001', null]) {
      const res = await post('/logout', {}, cookie, origin);
      expect(res.status).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
      const forged = await post('/login', { username: 'mallory' }, undefined, origin);
      expect(forged.status).toBe(403);
      expect(forged.headers.getSetCookie()).toEqual([]);
    }
    const res = await me(cookie);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: string }).user).toBe('alice');
  });

  it('expires after 30 idle minutes: JSON gets 401 reason idle, a page goes to /login?reason=idle', async () => {
    const { clock, get, me, login } = setup();
    const cookie = await login('alice');
    clock.advance('29m');
    expect((await me(cookie)).status).toBe(200); // activity slides the idle deadline
    clock.advance('29m');
    expect((await me(cookie)).status).toBe(200);
    clock.advance('31m');
    const res = await me(cookie);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'session_expired', reason: 'idle' });
    const page = await get('/', cookie);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?returnTo=%2F&reason=idle');
  });

  it('publishes the policy with its numbers', async () => {
    const { get } = setup();
    const res = await get('/policy');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Session policy &quot;productivity&quot;');
    expect(text).toMatch(/Idle timeout: 30 minutes/);
    expect(text).toMatch(/Absolute timeout: every session ends 1 day after sign-in/);
  });

  it('redirects after login only to a same-origin path', async () => {
    const { post } = setup();
    const ok = await post('/login', { username: 'alice', returnTo: '/policy' });
    expect(ok.headers.get('location')).toBe('/policy');
    const evil = await post('/login', { username: 'alice', returnTo: '//evil.example/x' });
    expect(evil.headers.get('location')).toBe('/');
  });
});
