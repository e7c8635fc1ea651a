/**
 * One spelling per token: every token the library issues or accepts is
 * refused unless it is in the one base64url spelling of its bytes. Variants
 * differ only in the unused low bits of a segment's last character, which
 * decoders ignore; accepting them would give one token several names.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64url } from 'jose';
import { isCanonicalBase64url } from '../src/canonical.js';
import { ManualClock } from '../src/clock.js';
import { createLatchkey } from '../src/engine.js';
import type { SessionEvent } from '../src/events.js';
import { presets } from '../src/presets.js';
import { createSealedSessions } from '../src/sealed/sealed-sessions.js';
import { MemoryStore } from '../src/store/memory.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ORIGIN = 'https://app.example';

/** The other spellings of a segment: its last character with other values in the unused bits. */
function variants(segment: string): string[] {
  const rest = segment.length % 4;
  if (rest === 0) return [];
  const unused = rest === 2 ? 0b1111 : 0b11;
  const last = ALPHABET.indexOf(segment.at(-1)!);
  const out: string[] = [];
  for (let low = 0; low <= unused; low++) {
    const index = (last & ~unused) | low;
    if (index !== last) out.push(segment.slice(0, -1) + ALPHABET[index]);
  }
  return out;
}

/** Variants of a dotted token, segment by segment. */
function tokenVariants(token: string): string[] {
  const segments = token.split('.');
  return segments.flatMap((segment, i) =>
    variants(segment).map((v) => segments.map((s, j) => (j === i ? v : s)).join('.')),
  );
}

describe('isCanonicalBase64url', () => {
  it('accepts the encoding of any bytes and refuses every other spelling of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const encoded = base64url.encode(bytes);
        expect(isCanonicalBase64url(encoded)).toBe(true);
        for (const other of variants(encoded)) {
          expect(base64url.decode(other)).toEqual(bytes); // the same bytes to a decoder…
          expect(isCanonicalBase64url(other)).toBe(false); // …but not the same token
        }
      }),
    );
  });

  it('refuses padding, other alphabets and impossible lengths', () => {
    for (const bad of ['QQ==', 'a+b/', 'abcde', 'ab cd', 'ä'])
      expect(isCanonicalBase64url(bad)).toBe(false);
  });
});

describe('tokens in another spelling are refused', () => {
  it('session IDs: the cookie with a variant last character is malformed, the real one works', async () => {
    const clock = new ManualClock();
    const lk = createLatchkey({
      policy: presets.productivity,
      store: new MemoryStore({ clock }),
      clock,
    });
    const rs = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    await rs.login('ada');
    const [pair] = (await rs.flush()).setCookie[0]!.split(';');
    const [name, id] = pair!.split('=') as [string, string];
    const load = (value: string) =>
      lk.forRequest(new Request(`${ORIGIN}/`, { headers: { cookie: `${name}=${value}` } })).load();
    expect(variants(id)).toHaveLength(3);
    for (const other of variants(id))
      expect(await load(other)).toEqual({ valid: false, reason: 'malformed' });
    expect((await load(id)).valid).toBe(true);
  });

  it('remember-me tokens: a variant is refused and is not taken for theft', async () => {
    const clock = new ManualClock();
    const events: SessionEvent[] = [];
    const lk = createLatchkey({
      policy: presets.productivity,
      store: new MemoryStore({ clock }),
      clock,
      onEvent: (e) => void events.push(e),
    });
    const rs = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    await rs.login('ada', { rememberMe: true });
    const remember = (await rs.flush()).setCookie
      .map((line) => line.split(';')[0]!)
      .find((pair) => pair.includes('remember'))!;
    const [name, token] = remember.split('=') as [string, string];
    const recall = (value: string) =>
      lk.forRequest(new Request(`${ORIGIN}/`, { headers: { cookie: `${name}=${value}` } })).load();
    const others = tokenVariants(token);
    expect(others.length).toBe(15 + 3); // selector (22 characters) and validator (43)
    for (const other of others) expect((await recall(other)).valid).toBe(false);
    expect(events.filter((e) => e.type === 'remember-me-theft')).toEqual([]);
    expect((await recall(token)).valid).toBe(true);
  });

  it('access and refresh tokens: variants are refused; the real ones still work and no family is revoked', async () => {
    const clock = new ManualClock();
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 'a-test-secret-of-at-least-32-bytes!!' }],
      store: new MemoryStore({ clock }),
      policy: presets.api,
      clock,
    });
    const pair = await tokens.issue('ada');
    const accessVariants = tokenVariants(pair.accessToken);
    expect(accessVariants.length).toBeGreaterThanOrEqual(3); // at least the signature's last character
    for (const other of accessVariants)
      expect(await tokens.verifyAccess(other)).toMatchObject({ valid: false });
    expect(await tokens.verifyAccess(pair.accessToken)).toMatchObject({ valid: true });
    for (const other of variants(pair.refreshToken))
      expect(await tokens.refresh(other)).toEqual({ valid: false, reason: 'malformed' });
    expect((await tokens.refresh(pair.refreshToken)).valid).toBe(true);
  });

  it('sealed cookies: a variant of any segment (IV, ciphertext, tag) does not open', async () => {
    const clock = new ManualClock();
    const sessions = createSealedSessions({
      policy: presets.productivity,
      secrets: ['s'.repeat(32)],
      clock,
      cache: { maxEntries: 10 },
    });
    const rs = sessions.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    await rs.login('ada');
    const [pair] = (await rs.flush()).setCookie[0]!.split(';');
    const eq = pair!.indexOf('=');
    const [name, value] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
    const load = (v: string) =>
      sessions
        .forRequest(new Request(`${ORIGIN}/`, { headers: { cookie: `${name}=${v}` } }))
        .load();
    expect((await load(value)).valid).toBe(true); // and now it is in the verified cache
    const others = tokenVariants(value);
    expect(others.length).toBeGreaterThanOrEqual(15); // the 16-byte tag's last character alone
    for (const other of others) expect((await load(other)).valid).toBe(false);
  });
});
