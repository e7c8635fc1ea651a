// passport-local, unchanged from its express-session setup, on the expressSession() drop-in: a real
// login, a protected route, req.logout(cb), and Latchkey's policies underneath (a new ID at login,
// the absolute cap, log out everywhere).
import express from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { expressSession } from '../src/index.js';
import { browser, dropIn, listen, sessionID } from './drop-in-harness.js';

type User = { id: string; name: string };
const USERS: Record<string, User & { password: string }> = {
  ada: { id: 'ada', name: 'Ada Lovelace', password: 'analytical-engine' },
};

/** The app as passport's docs write it for express-session; only the session middleware differs. */
function app() {
  const clock = new ManualClock();
  const sessions = expressSession({
    latchkey: {
      policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
      store: new MemoryStore({ clock }),
      clock,
    },
  });
  const passport = new Passport();
  passport.use(
    new LocalStrategy((username, password, done) => {
      const user = USERS[username];
      done(null, user && user.password === password ? { id: user.id, name: user.name } : false);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as User).id));
  passport.deserializeUser((id: string, done) =>
    done(null, USERS[id] ? { id, name: USERS[id].name } : false),
  );

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(sessions);
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', passport.authenticate('local'), (req, res) => {
    res.json({ user: (req.user as User).id });
  });
  app.post('/login-keep', passport.authenticate('local', { keepSessionInfo: true }), (req, res) => {
    res.json({ views: dropIn(req).views ?? null });
  });
  app.get('/profile', (req, res) => {
    if (!req.isAuthenticated()) return void res.status(401).json({ error: 'not authenticated' });
    res.json({
      user: (req.user as User).id,
      name: (req.user as User).name,
      handle: sessionID(req),
    });
  });
  app.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.json({ loggedOut: true })));
  });
  // Passport before 0.6 signed out by deleting the user, without regenerating the session.
  app.post('/old-logout', (req, res) => {
    delete dropIn(req).passport.user;
    res.json({ loggedOut: true });
  });
  app.get('/visit', (req, res) => {
    const session = dropIn(req);
    session.views = (session.views ?? 0) + 1;
    res.json({ views: session.views });
  });
  app.get('/handle', (req, res) => void res.json({ handle: sessionID(req) }));
  return { app, clock, sessions };
}

const form = (username: string, password: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ username, password }).toString(),
});

describe('passport-local on expressSession()', () => {
  it('logs in with passport.authenticate, serves the protected route, and after req.logout the old cookie is dead', async () => {
    const { app: server, sessions } = app();
    const base = await listen(server);
    const visitor = browser(base);

    const anonymous = await visitor.fetch('/profile');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.getSetCookie()).toEqual([]); // no data, no session

    expect((await visitor.fetch('/login', form('ada', 'wrong'))).status).toBe(401);
    expect(visitor.cookie).toBeUndefined();

    const login = await visitor.fetch('/login', form('ada', 'analytical-engine'));
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ user: 'ada' });
    const signedIn = visitor.cookie!;
    expect(signedIn).toMatch(/^__Host-session=[A-Za-z0-9_-]{43}$/);

    const profile = await visitor.fetch('/profile');
    expect(await profile.json()).toMatchObject({ user: 'ada', name: 'Ada Lovelace' });
    // A Latchkey session of user ada: it is listed, so log out everywhere can reach it.
    expect(await sessions.latchkey.listSessions('ada')).toHaveLength(1);

    const logout = await visitor.fetch('/logout', { method: 'POST' });
    expect(await logout.json()).toEqual({ loggedOut: true });
    expect(logout.headers.getSetCookie().some((line) => /Max-Age=0/.test(line))).toBe(true);
    expect(logout.headers.get('cache-control')).toBe('no-store');

    // The replay: the old cookie, kept by an attacker, is dead server-side.
    const replay = await fetch(`${base}/profile`, { headers: { cookie: signedIn } });
    expect(replay.status).toBe(401);
    expect(await sessions.latchkey.listSessions('ada')).toEqual([]);
  });

  it("passport's keepSessionInfo carries the visitor's data into the signed-in session, as on express-session", async () => {
    const { app: server } = app();
    const visitor = browser(await listen(server));
    await visitor.fetch('/visit');
    const anonymous = visitor.cookie;
    expect(
      await (await visitor.fetch('/login-keep', form('ada', 'analytical-engine'))).json(),
    ).toEqual({ views: 1 });
    expect(visitor.cookie).not.toBe(anonymous);
    expect(await (await visitor.fetch('/visit')).json()).toEqual({ views: 2 });
    expect((await visitor.fetch('/profile')).status).toBe(200);
  });

  it('deleting passport.user without regenerate (passport before 0.6) also ends the session server-side', async () => {
    const { app: server, sessions } = app();
    const base = await listen(server);
    const visitor = browser(base);
    await visitor.fetch('/visit');
    await visitor.fetch('/login', form('ada', 'analytical-engine'));
    const signedIn = visitor.cookie!;
    await visitor.fetch('/old-logout', { method: 'POST' });
    expect((await fetch(`${base}/profile`, { headers: { cookie: signedIn } })).status).toBe(401);
    expect(await sessions.latchkey.listSessions('ada')).toEqual([]);
  });

  it('the session ID changes at login: the anonymous session cookie does not become the signed-in one', async () => {
    const { app: server } = app();
    const base = await listen(server);
    const visitor = browser(base);
    expect(await (await visitor.fetch('/visit')).json()).toEqual({ views: 1 });
    const anonymousCookie = visitor.cookie!;
    const anonymousHandle = (await (await visitor.fetch('/handle')).json()).handle;
    expect(anonymousHandle).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await visitor.fetch('/login', form('ada', 'analytical-engine'));
    expect(visitor.cookie).not.toBe(anonymousCookie);
    const profile = await (await visitor.fetch('/profile')).json();
    expect(profile.user).toBe('ada');
    expect(profile.handle).not.toBe(anonymousHandle);

    // A fixed (planted) anonymous cookie gives the attacker nothing: it names no session any more.
    const planted = await fetch(`${base}/profile`, { headers: { cookie: anonymousCookie } });
    expect(planted.status).toBe(401);
    const handle = await (
      await fetch(`${base}/handle`, { headers: { cookie: anonymousCookie } })
    ).json();
    expect(handle).toEqual({ handle: null });
  });

  it("the policy's absolute cap ends the passport session, however active", async () => {
    const { app: server, clock } = app();
    const base = await listen(server);
    const visitor = browser(base);
    await visitor.fetch('/login', form('ada', 'analytical-engine'));
    // A request every 9 minutes keeps the 10-minute idle timeout at bay (renewals followed by the jar)...
    for (let minute = 9; minute < 60; minute += 9) {
      clock.advance('9m');
      expect((await visitor.fetch('/profile')).status, `minute ${minute}`).toBe(200);
    }
    // ...but not past the 1-hour absolute cap from login.
    clock.advance('7m');
    expect((await visitor.fetch('/profile')).status).toBe(401);
  });

  it('engine.revokeUser (log out everywhere) kills the passport session cookie', async () => {
    const { app: server, sessions } = app();
    const base = await listen(server);
    const laptop = browser(base);
    const phone = browser(base);
    await laptop.fetch('/login', form('ada', 'analytical-engine'));
    await phone.fetch('/login', form('ada', 'analytical-engine'));
    expect((await laptop.fetch('/profile')).status).toBe(200);
    expect(await sessions.latchkey.revokeUser('ada')).toBe(2);
    expect((await laptop.fetch('/profile')).status).toBe(401);
    expect((await phone.fetch('/profile')).status).toBe(401);
  });
});
