/**
 * A read-only copy of the store (a leaked backup, a replica, a dump) gives a
 * thief nothing to present. Everything the engine and the token issuer ever
 * wrote is recorded, keys and values, as an attacker with read access would
 * see it over time; no secret the browser holds appears in it, and no string
 * from it, offered as a session cookie, a remember-me cookie, a refresh token
 * or a bearer token, signs anyone in.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createLatchkey } from '../src/engine.js';
import { presets } from '../src/presets.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';

const ORIGIN = 'https://app.example';
const SESSION = '__Host-session';
const REMEMBER = '__Host-remember';

/** The memory store, with every key and value it was ever given kept aside. */
function recorded(clock: ManualClock): { store: SessionStore; seen: Set<string> } {
  const inner = new MemoryStore({ clock });
  const seen = new Set<string>();
  const keep = (...texts: (string | null)[]) => {
    for (const t of texts) if (t) seen.add(t);
  };
  const index = inner.userIndex;
  const store: SessionStore = {
    name: 'recorded memory',
    get: (k) => inner.get(k),
    set: (k, v, t) => (keep(k, v), inner.set(k, v, t)),
    delete: (k) => inner.delete(k),
    consume: (k) => inner.consume(k),
    compareAndSet: (k, e, v, t) => (keep(k, v), inner.compareAndSet(k, e, v, t)),
    userIndex: {
      add: (u, m, t) => (keep(u, m), index.add(u, m, t)),
      list: (u) => index.list(u),
      remove: (u, m) => index.remove(u, m),
      removeAll: (u) => index.removeAll(u),
    },
  };
  return { store, seen };
}

/** Every string in the copy: whole keys and values, their JSON string fields, and their `:`-separated parts. */
function candidates(seen: Set<string>): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      out.add(v);
      for (const part of v.split(/[:|]/)) if (part) out.add(part);
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const text of seen) {
    walk(text);
    try {
      walk(JSON.parse(text));
    } catch {
      // not JSON: the text itself is already a candidate
    }
  }
  return [...out].filter((s) => s.length >= 8);
}

function cookiesOf(response: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    out.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  return out;
}

describe('a read-only copy of the store', () => {
  it('holds none of the secrets the browser has, and nothing in it signs anyone in', async () => {
    const clock = new ManualClock();
    const { store, seen } = recorded(clock);
    const engine = createLatchkey({
      policy: { ...presets.productivity, renewInterval: '5m' },
      store,
      clock,
    });
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 's'.repeat(32) }],
      store,
      policy: presets.api,
      clock,
    });
    const visit = async (
      cookie: string,
      work?: (rs: ReturnType<typeof engine.forRequest>) => Promise<unknown>,
    ) => {
      const rs = engine.forRequest(
        new Request(`${ORIGIN}/`, { headers: cookie ? { cookie } : {} }),
      );
      const outcome = await rs.load();
      if (work) await work(rs);
      return { outcome, cookies: cookiesOf(await rs.commit(new Response('ok'))) };
    };

    // A life's worth of writes: login with remember-me, data, a renewal, a silent sign-in, tokens and a rotation.
    const login = await visit('', (rs) => rs.login('ada', { rememberMe: true }));
    let sid = login.cookies.get(SESSION)!;
    let device = login.cookies.get(REMEMBER)!;
    const browserSecrets = [sid, device];
    await visit(`${SESSION}=${sid}`, async (rs) => rs.current?.set('cart', 3));
    clock.advance('6m');
    const renewed = await visit(`${SESSION}=${sid}`);
    sid = renewed.cookies.get(SESSION) ?? sid;
    browserSecrets.push(sid);
    clock.advance('2h'); // idle: the remember-me token signs in again and rotates
    const recalled = await visit(`${REMEMBER}=${device}`);
    expect(recalled.outcome.valid && recalled.outcome.via).toBe('remember-me');
    sid = recalled.cookies.get(SESSION)!;
    device = recalled.cookies.get(REMEMBER)!;
    browserSecrets.push(sid, device);
    const pair = await tokens.issue('ada');
    const rotated = await tokens.refresh(pair.refreshToken);
    if (!rotated.valid) throw new Error('refresh failed');
    browserSecrets.push(pair.refreshToken, rotated.tokens.refreshToken);

    // The copy never holds a secret the browser holds, whole or in part.
    const copy = [...seen].join('\n');
    for (const secret of browserSecrets) expect(copy).not.toContain(secret);
    // Access tokens are self-contained and never stored; the copy must not mint one either.
    expect(copy).not.toContain(rotated.tokens.accessToken);

    // The real ones still work: what follows is refused for what it is, not because all is broken.
    expect((await visit(`${SESSION}=${sid}`)).outcome.valid).toBe(true);
    expect(await tokens.verifyAccess(rotated.tokens.accessToken)).toMatchObject({ valid: true });

    const offered = candidates(seen);
    expect(offered.length).toBeGreaterThan(20);
    for (const text of offered) {
      const asCookie = encodeURIComponent(text);
      expect((await visit(`${SESSION}=${asCookie}`)).outcome.valid, text).toBe(false);
      expect((await visit(`${REMEMBER}=${asCookie}`)).outcome.valid, text).toBe(false);
      expect((await tokens.refresh(text)).valid, text).toBe(false);
      expect((await tokens.verifyAccess(text)).valid, text).toBe(false);
    }
    // Offering the copy was not theft of the real device or family: both still work.
    clock.advance('1m');
    const stillRotates = await tokens.refresh(rotated.tokens.refreshToken);
    expect(stillRotates.valid).toBe(true);
    expect((await visit(`${REMEMBER}=${device}`)).outcome.valid).toBe(true);
  });
});
