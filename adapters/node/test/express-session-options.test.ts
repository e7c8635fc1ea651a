// express-session's options on the expressSession() drop-in: those with a meaning on Latchkey
// shape the cookie; those without are refused at startup with what to do instead.
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ConfigError, MemoryStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { expressSession, type ExpressSessionOptions } from '../src/index.js';
import { dropIn, listen } from './drop-in-harness.js';

const clock = new ManualClock();
const latchkey = {
  policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
  store: new MemoryStore({ clock }),
  clock,
  cookie: { warn: () => {} },
} as const;

/** The Set-Cookie line of a first visit that sets data, under these options. */
async function cookieLine(options: Omit<ExpressSessionOptions, 'latchkey'>): Promise<string> {
  const app = express();
  app.use(expressSession({ latchkey, ...options }));
  app.get('/', (req, res) => {
    dropIn(req).views = 1;
    res.end();
  });
  const response = await fetch(await listen(app));
  const [line] = response.headers.getSetCookie();
  return line!;
}

const refusal = (options: Record<string, unknown>) => {
  try {
    expressSession({ latchkey, ...options } as ExpressSessionOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
};

describe('expressSession() options without a meaning on Latchkey are refused with the fix', () => {
  it.each([
    [
      { secret: 'keyboard cat' },
      /^expressSession: secret: .*256-bit random .*hash.*no signature; remove secret$/,
    ],
    [
      { resave: false },
      /^expressSession: resave: .*only the keys a request changed.*; remove resave$/,
    ],
    [
      { store: {} },
      /^expressSession: store: .*pass a Latchkey store to createLatchkey instead: latchkey: \{ policy, store/,
    ],
    [{ genid: () => 'x' }, /^expressSession: genid: .*generates every session ID itself/],
    [{ unset: 'destroy' }, /^expressSession: unset: .*req\.session\.destroy\(cb\)/],
    [{ proxy: true }, /^expressSession: proxy: use trustProxy: true/],
    [
      { cookie: { expires: new Date() } },
      /^expressSession: cookie\.expires: use maxAge \(milliseconds\)/,
    ],
    [
      { cookie: { secure: 'auto' } },
      /^expressSession: cookie\.secure: 'auto' has no Latchkey form.*development: true/,
    ],
    [{ cookie: { signed: true } }, /^expressSession: cookie\.signed: .*no signature/],
    [
      { saveUnitialized: true },
      /^expressSession: saveUnitialized: unknown option; the known ones are .*saveUninitialized/,
    ],
  ])('%o', (options, message) => {
    expect(refusal(options)).toMatch(message);
  });

  it('cookie.maxAge beyond the policy’s absolute timeout is refused, not clamped', () => {
    expect(refusal({ cookie: { maxAge: 2 * 3_600_000 } })).toBe(
      "expressSession: cookie.maxAge: 7200000 ms exceeds the policy's absoluteTimeout (3600000 ms); no Latchkey session outlives its absolute cap, so lower maxAge or raise policy.absoluteTimeout",
    );
    expect(refusal({ cookie: { maxAge: 0 } })).toMatch(
      /cookie\.maxAge: expected positive milliseconds or null/,
    );
  });

  it('a misspelt sameSite is refused', () => {
    expect(refusal({ cookie: { sameSite: 'relaxed' } })).toMatch(
      /cookie\.sameSite: expected true, false, 'lax', 'strict' or 'none', got relaxed/,
    );
  });
});

describe('expressSession() options with a meaning shape the cookie', () => {
  it.each([
    ['lax', 'SameSite=Lax'],
    ['strict', 'SameSite=Strict'],
    ['none', 'SameSite=None'],
    [true, 'SameSite=Strict'],
    [false, 'SameSite=Lax'],
  ] as const)("express-session's lowercase sameSite %o is %s", async (sameSite, attribute) => {
    const line = await cookieLine({ cookie: { sameSite } });
    expect(line.split('; ').filter((part) => part.startsWith('SameSite='))).toEqual([attribute]);
  });

  it('name, secure, httpOnly, path and domain reach the cookie', async () => {
    expect(await cookieLine({ name: 'sid' })).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43}; /);
    const plain = await cookieLine({ name: 'sid', cookie: { secure: false, httpOnly: false } });
    expect(plain).toMatch(/^sid=/);
    expect(plain).not.toMatch(/; Secure|; HttpOnly/);
    const scoped = await cookieLine({ cookie: { path: '/app', domain: 'example.com' } });
    expect(scoped).toMatch(/^__Secure-session=/);
    expect(scoped).toMatch(/; Domain=example\.com/);
    expect(scoped).toMatch(/; Path=\/app/);
  });

  it('csrf: true refuses a cross-site POST before the route runs, as on latchkeyMiddleware', async () => {
    const app = express();
    app.use(expressSession({ latchkey, csrf: true }));
    app.post('/', (_req, res) => void res.json({ ran: true }));
    const base = await listen(app);
    const crossSite = await fetch(base, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: 'csrf_rejected' });
    const sameOrigin = await fetch(base, { method: 'POST', headers: { origin: base } });
    expect(await sameOrigin.json()).toEqual({ ran: true });
  });

  it('cookie.maxAge within the absolute timeout caps the cookie’s Max-Age; null makes a browser-session cookie', async () => {
    expect(await cookieLine({})).toMatch(/; Max-Age=3600;/);
    expect(await cookieLine({ cookie: { maxAge: 30 * 60_000 } })).toMatch(/; Max-Age=1800;/);
    const sessionOnly = await cookieLine({ cookie: { maxAge: null } });
    expect(sessionOnly).not.toMatch(/Max-Age|Expires/);
  });
});
