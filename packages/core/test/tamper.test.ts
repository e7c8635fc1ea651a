/**
 * Every token kind, every byte (issue 12): a real token from the real engine
 * works; each position swapped for every other base64url character and some
 * outside the alphabet (for the JOSE tokens, a sample: see `bitFlips`) is
 * refused the way a user would see it, and the real token still works (a
 * remember-me theft ends the device, as documented). Every last-character
 * spelling is among the swaps.
 */

import { describe, expect, it } from 'vitest';
import { base64url } from 'jose';
import {
  authenticateBearer,
  createLatchkey,
  MemoryStore,
  presets,
  type PolicyOptions,
  type SessionEvent,
} from '@latchkey/core';
import { createSealedSessions } from '@latchkey/core/sealed';
import { ManualClock } from '@latchkey/core/testing';
import { createTokenIssuer } from '@latchkey/core/tokens';

const ORIGIN = 'https://app.example';
const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Outside the alphabet: padding, base64's own, the JOSE separator, `~`, and what alphabet characters become with their lowest bit flipped. */
const OUTSIDE = '=+/.~@[`{,^';
/** Other characters at a place: every character of both sets but the one there. */
const EVERY = ALPHABET.length + OUTSIDE.length - 1;

/** Every token that differs from `token` in one character: each position, each other character. */
function* substitutions(token: string): Generator<{ at: number; value: string }> {
  for (let at = 0; at < token.length; at++)
    for (const c of ALPHABET + OUTSIDE)
      if (c !== token[at]) yield { at, value: token.slice(0, at) + c + token.slice(at + 1) };
}

/**
 * For the JOSE tokens, whose every check is a decryption or a signature (about
 * 0.7 ms a variant here, 15 s a token for every character at every place): each
 * position gets its 6 single-bit flips (every bit of the encoded bytes) and
 * the characters outside the alphabet; each separator and each segment's last
 * character (where the other spellings live) still gets all of them.
 */
function* bitFlips(token: string): Generator<{ at: number; value: string }> {
  for (let at = 0; at < token.length; at++) {
    const index = ALPHABET.indexOf(token[at]!);
    const last = at === token.length - 1 || token[at + 1] === '.';
    const swaps =
      index === -1 || last
        ? [...(ALPHABET + OUTSIDE)].filter((c) => c !== token[at])
        : [...[0, 1, 2, 3, 4, 5].map((bit) => ALPHABET[index ^ (1 << bit)]!), ...OUTSIDE];
    for (const c of swaps) yield { at, value: token.slice(0, at) + c + token.slice(at + 1) };
  }
}

/** How many variants {@link bitFlips} makes of `token`: {@link EVERY} at a separator or a segment's last place, fewer elsewhere. */
function sampled(token: string): number {
  const segments = token.split('.');
  const full = segments.length - 1 + segments.filter((p) => p !== '').length;
  return full * EVERY + (token.length - full) * (6 + OUTSIDE.length);
}

/** Oracle independent of canonical.ts: base64url characters only, and jose re-encodes the decoded bytes to the same text. */
function canonical(segment: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(segment) && sameBytes(segment, segment);
}

/** Does `variant` decode to the same bytes as `segment` (another spelling of it, differing only in unused bits)? */
function sameBytes(variant: string, segment: string): boolean {
  try {
    return base64url.encode(base64url.decode(variant)) === segment;
  } catch {
    return false;
  }
}

function cookieOf(setCookie: string[], name: string): string {
  const line = setCookie.find((l) => l.startsWith(`${name}=`))!;
  return line.slice(name.length + 1, line.indexOf(';'));
}

describe('every byte of every token kind, swapped for another character, is refused', () => {
  it('session ID cookie: each variant loads no session (malformed, or unknown when well formed); the real one still works', async () => {
    const clock = new ManualClock();
    const events: SessionEvent[] = [];
    const lk = createLatchkey({
      policy: presets.productivity,
      store: new MemoryStore({ clock }),
      clock,
      onEvent: (e) => void events.push(e),
    });
    const login = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    await login.login('ada');
    const id = cookieOf((await login.flush()).setCookie, '__Host-session');
    const load = (value: string) =>
      lk
        .forRequest(new Request(`${ORIGIN}/`, { headers: { cookie: `__Host-session=${value}` } }))
        .load();
    expect(await load(id)).toMatchObject({ valid: true, session: { userId: 'ada' } });
    events.length = 0;

    let count = 0;
    let spellings = 0;
    for (const { at, value } of substitutions(id)) {
      const expected = canonical(value) ? 'unknown' : 'malformed';
      if (sameBytes(value, id)) spellings++;
      expect(await load(value), `${at}: ${value}`).toEqual({ valid: false, reason: expected });
      count++;
    }
    expect(count).toBe(43 * EVERY);
    expect(spellings).toBe(3); // the other spellings of the last character (2 unused bits) were among them
    // Nothing was found: no touch, no renewal, no revoked-used; only one validation-failed per
    // variant (for the monitor), with its reason and never the cookie's text.
    expect(events.map((e) => e.type)).toEqual(Array(count).fill('validation-failed'));
    for (const e of events) expect(JSON.stringify(e)).not.toContain(id.slice(0, 40));
    expect(await load(id)).toMatchObject({ valid: true, session: { userId: 'ada' } });
  });

  it('remember-me cookie: each variant signs nobody in and clears the cookie; a well-formed validator under the real selector is theft of that device (its user signed out everywhere), any other change is not', async () => {
    const policy: PolicyOptions = {
      name: 'tamper',
      idleTimeout: '30m',
      absoluteTimeout: '8h',
      touchInterval: '1m',
      renewInterval: false,
      rememberMe: '14d',
    };
    const clock = new ManualClock();
    const events: SessionEvent[] = [];
    const lk = createLatchkey({
      policy,
      store: new MemoryStore({ clock }),
      clock,
      onEvent: (e) => void events.push(e),
    });
    const thefts = () => events.flatMap((e) => (e.type === 'remember-me-theft' ? [e.userId] : []));
    /** Sign `userId` in with remember me; the device cookie. */
    const remember = async (userId: string) => {
      const rs = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
      await rs.login(userId, { rememberMe: true });
      return cookieOf((await rs.flush()).setCookie, '__Host-remember');
    };
    /** A request carrying only the device cookie, as after the session expired. */
    const recall = async (token: string) => {
      const rs = lk.forRequest(
        new Request(`${ORIGIN}/`, { headers: { cookie: `__Host-remember=${token}` } }),
      );
      const outcome = await rs.load();
      const { setCookie } = await rs.flush();
      const set = setCookie.find((l) => l.startsWith('__Host-remember='));
      const cleared = set !== undefined && /; Max-Age=0(;|$)/.test(set);
      return {
        outcome,
        cleared,
        next: set && !cleared ? cookieOf(setCookie, '__Host-remember') : '',
      };
    };

    // Selector and separator (positions 0 to 22): one device survives every variant.
    const real = await remember('ada');
    expect(real).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
    let selectorVariants = 0;
    for (const { at, value } of substitutions(real)) {
      if (at > 22) break;
      const r = await recall(value);
      expect(r.outcome.valid, `${at}: ${value}`).toBe(false);
      expect(r.cleared, `${at}: ${value}`).toBe(true);
      selectorVariants++;
    }
    expect(selectorVariants).toBe(23 * EVERY);
    const selector = real.slice(0, 22);
    const spellings = [...substitutions(selector)].filter(({ value }) =>
      sameBytes(value, selector),
    );
    expect(spellings).toHaveLength(15); // the selector's last character has 4 unused bits
    expect(thefts()).toEqual([]);
    const back = await recall(real);
    expect(back.outcome).toMatchObject({
      valid: true,
      via: 'remember-me',
      session: { userId: 'ada' },
    });

    // Validator (positions 23 to 65): a device per variant, since theft ends the device it names.
    let thefts_ = 0;
    let n = 0;
    for (let at = 23; at < 66; at++) {
      for (const c of ALPHABET + OUTSIDE) {
        let userId: string;
        let own: string;
        do {
          userId = `user${n++}`;
          own = await remember(userId);
        } while (own[at] === c); // a device whose character here is another
        const tampered = own.slice(0, at) + c + own.slice(at + 1);
        const theft = canonical(tampered.slice(23));
        events.length = 0;
        const r = await recall(tampered);
        expect(r.outcome.valid, `${at}: ${tampered}`).toBe(false);
        expect(r.cleared, `${at}: ${tampered}`).toBe(true);
        expect(thefts(), `${at}: ${tampered}`).toEqual(theft ? [userId] : []);
        // Theft detection ends the device, so the owner's real cookie signs nobody in either; anything else leaves it be.
        expect((await recall(own)).outcome.valid, `${at}: the owner's device`).toBe(!theft);
        if (theft) thefts_++;
      }
    }
    // Positions 23 to 64 take any of the 64 characters; the last only the 16 with its 2 unused bits clear.
    expect(thefts_).toBe(42 * 64 + 16);
    // Theft ended only the devices it named: ada's (rotated at her last sign-in) still works.
    expect(back.next).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
    expect((await recall(back.next)).outcome).toMatchObject({
      valid: true,
      via: 'remember-me',
      session: { userId: 'ada' },
    });
  });

  it('refresh token: each variant is refused (malformed, or unknown when well formed) with no family revoked; the real one still rotates', async () => {
    const clock = new ManualClock();
    const events: SessionEvent[] = [];
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: SECRET }],
      store: new MemoryStore({ clock }),
      policy: presets.api,
      clock,
      onEvent: (e) => void events.push(e),
    });
    const { refreshToken } = await tokens.issue('ada');
    expect(refreshToken).toMatch(/^[\w-]{43}$/);
    events.length = 0;
    let count = 0;
    let spellings = 0;
    for (const { at, value } of substitutions(refreshToken)) {
      const expected = canonical(value) ? 'unknown' : 'malformed';
      if (sameBytes(value, refreshToken)) spellings++;
      expect(await tokens.refresh(value), `${at}: ${value}`).toEqual({
        valid: false,
        reason: expected,
      });
      count++;
    }
    expect(count).toBe(43 * EVERY);
    expect(spellings).toBe(3);
    expect(events.map((e) => e.type)).toEqual([]); // no refresh, no reuse, no family revoked
    const next = await tokens.refresh(refreshToken);
    expect(next.valid).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['token-refreshed']);
  });

  it('sealed session cookie: each variant of header, IV, ciphertext and tag opens nothing (malformed) though the real one sits in the verified cache; the real one still opens', async () => {
    const clock = new ManualClock();
    const events: SessionEvent[] = [];
    // The cache on: the real cookie is in it, so a variant must miss it and still fail to decrypt.
    const sessions = createSealedSessions({
      policy: presets.productivity,
      secrets: [SECRET],
      clock,
      cache: { maxEntries: 10 },
      onEvent: (e) => void events.push(e),
    });
    const login = sessions.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    await login.login('ada');
    const sealed = cookieOf((await login.flush()).setCookie, '__Host-session');
    const segments = sealed.split('.');
    expect(segments).toHaveLength(5);
    expect(segments[1]).toBe(''); // dir: no encrypted key
    const load = (value: string) =>
      sessions
        .forRequest(new Request(`${ORIGIN}/`, { headers: { cookie: `__Host-session=${value}` } }))
        .load();
    expect(await load(sealed)).toMatchObject({ valid: true, session: { userId: 'ada' } });
    events.length = 0;
    let count = 0;
    let spellings = 0;
    const positions = new Set<number>();
    for (const { at, value } of bitFlips(sealed)) {
      positions.add(at);
      const parts = value.split('.');
      if (parts.length === 5 && parts.every((p, i) => sameBytes(p, segments[i]!))) spellings++;
      expect(await load(value), `${at}: ${value}`).toEqual({ valid: false, reason: 'malformed' });
      count++;
    }
    expect(positions.size).toBe(sealed.length); // every byte
    expect(count).toBe(sampled(sealed));
    // The other spellings of each segment's last character: header, IV (16 characters: none), ciphertext, tag (22: 15).
    const expected = segments.reduce(
      (sum, p) => sum + (({ 2: 15, 3: 3 } as Record<number, number>)[p.length % 4] ?? 0),
      0,
    );
    expect(spellings).toBe(expected);
    expect(spellings).toBeGreaterThanOrEqual(15);
    // Each variant is one `validation-failed` (for the monitor's burst rule), naming nothing.
    expect(events).toHaveLength(count);
    expect(new Set(events.map((e) => JSON.stringify({ ...e, at: 0 })))).toEqual(
      new Set([JSON.stringify({ type: 'validation-failed', at: 0, reason: 'malformed' })]),
    );
    expect(await load(sealed)).toMatchObject({ valid: true, session: { userId: 'ada' } });
  });

  it('access token: each variant of header, payload and signature is a 401 invalid_token at the bearer guard; the real one still passes', async () => {
    const clock = new ManualClock();
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: SECRET }],
      store: new MemoryStore({ clock }),
      policy: presets.api,
      clock,
    });
    const { accessToken } = await tokens.issue('ada', { role: 'admin' });
    const segments = accessToken.split('.');
    expect(segments).toHaveLength(3);
    const guard = (token: string) =>
      authenticateBearer(
        new Request(`${ORIGIN}/api`, { headers: { authorization: `Bearer ${token}` } }),
        tokens,
      );
    expect(await guard(accessToken)).toMatchObject({ valid: true, claims: { sub: 'ada' } });
    let count = 0;
    let spellings = 0;
    const positions = new Set<number>();
    for (const { at, value } of bitFlips(accessToken)) {
      positions.add(at);
      const parts = value.split('.');
      if (parts.length === 3 && parts.every((p, i) => sameBytes(p, segments[i]!))) spellings++;
      const auth = await guard(value);
      expect(auth.valid, `${at}: ${value}`).toBe(false);
      if (auth.valid) continue;
      expect(auth.reason, `${at}: ${value}`).toBe('invalid');
      expect(auth.response.status).toBe(401);
      expect(auth.response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      count++;
    }
    expect(positions.size).toBe(accessToken.length); // every byte
    expect(count).toBe(sampled(accessToken));
    expect(spellings).toBeGreaterThanOrEqual(3); // at least the signature's (43 characters: 3)
    expect(await guard(accessToken)).toMatchObject({ valid: true, claims: { sub: 'ada' } });
  });
});
