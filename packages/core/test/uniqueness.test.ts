/**
 * A large sample of IDs and tokens from the real generators and the platform
 * CSPRNG (issue 12): no duplicates, the documented length and alphabet
 * (docs/security.md), and every random bit varying. The engine, the issuer
 * and remember me are shown to hand out exactly those generators' bytes.
 */

import { describe, expect, it, vi } from 'vitest';
import { base64url } from 'jose';
import { createLatchkey, MemoryStore, presets, type PolicyOptions } from '@latchkey/core';
import { createTokenIssuer } from '@latchkey/core/tokens';
import { cryptoRandom, newSecret } from '../src/random.js';
import { formatDeviceToken, newDeviceToken } from '../src/remember-me/device-token.js';

const ORIGIN = 'https://app.example';
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const DEVICE_SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

/** The bytes each base64url segment spells, checking there are `length` of them and the segment is their one spelling. */
function bytesOf(segments: string[], length: number): Uint8Array[] {
  const all = segments.map((segment) => base64url.decode(segment));
  const wrong = segments.filter(
    (segment, i) => all[i]!.length !== length || base64url.encode(all[i]!) !== segment,
  );
  expect(wrong).toEqual([]);
  return all;
}

/**
 * How often each bit is set across `samples`. A generator that fixed or
 * repeated any bit (a zeroed byte, a counter, a short seed stretched) would
 * leave some bit far from half; with n samples a fair bit lands within 5% of
 * n/2 with certainty for any practical purpose (n = 20,000: 14 standard deviations).
 */
function bitsAllVary(samples: Uint8Array[]): void {
  const bits = samples[0]!.length * 8;
  const set = new Array<number>(bits).fill(0);
  for (const bytes of samples)
    for (let bit = 0; bit < bits; bit++) if (bytes[bit >> 3]! & (1 << (bit & 7))) set[bit]!++;
  const n = samples.length;
  const off = set.flatMap((count, bit) => (Math.abs(count - n / 2) > n * 0.05 ? [bit] : []));
  expect(off).toEqual([]);
}

describe('IDs and tokens: unique, the documented length, full entropy', () => {
  it('100,000 session IDs: no duplicates; each 43 base64url characters spelling 32 random bytes (256 bits)', () => {
    const ids = Array.from({ length: 100_000 }, () => newSecret(cryptoRandom));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !SECRET_SHAPE.test(id))).toEqual([]);
    bitsAllVary(bytesOf(ids, 32));
  });

  it('20,000 remember-me tokens: no duplicate selector or validator; each 66 characters, a 128-bit selector and a 256-bit validator', () => {
    const tokens = Array.from({ length: 20_000 }, () =>
      formatDeviceToken(newDeviceToken(cryptoRandom)),
    );
    expect(tokens.filter((t) => !DEVICE_SHAPE.test(t))).toEqual([]);
    const selectors = tokens.map((t) => t.slice(0, 22));
    const validators = tokens.map((t) => t.slice(23));
    expect(new Set(selectors).size).toBe(tokens.length);
    expect(new Set(validators).size).toBe(tokens.length);
    bitsAllVary(bytesOf(selectors, 16));
    bitsAllVary(bytesOf(validators, 32));
  });

  it('20,000 refresh tokens: no duplicates; each 43 base64url characters spelling 32 random bytes (256 bits)', () => {
    const refresh = Array.from({ length: 20_000 }, () => newSecret(cryptoRandom));
    expect(new Set(refresh).size).toBe(refresh.length);
    expect(refresh.filter((t) => !SECRET_SHAPE.test(t))).toEqual([]);
    bitsAllVary(bytesOf(refresh, 32));
  });
});

describe('the engine hands out the CSPRNG bytes those generators draw, unchanged', () => {
  /** Every buffer `crypto.getRandomValues` filled while `run` ran, base64url. */
  async function drawn(run: () => Promise<void>): Promise<Map<number, string[]>> {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    try {
      await run();
      const out = new Map<number, string[]>();
      for (const result of spy.mock.results) {
        const bytes = result.value as Uint8Array;
        out.set(bytes.length, [...(out.get(bytes.length) ?? []), base64url.encode(bytes)]);
      }
      return out;
    } finally {
      spy.mockRestore();
    }
  }
  const cookieOf = (setCookie: string[], name: string) => {
    const line = setCookie.find((l) => l.startsWith(`${name}=`))!;
    return line.slice(name.length + 1, line.indexOf(';'));
  };
  const policy: PolicyOptions = { ...presets.productivity, name: 'remembered', rememberMe: '14d' };

  it('a session ID is 32 bytes from crypto.getRandomValues; a remember-me token is 16 and 32 more', async () => {
    const lk = createLatchkey({ policy, store: new MemoryStore() });
    let setCookie: string[] = [];
    const draws = await drawn(async () => {
      const rs = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
      await rs.login('ada', { rememberMe: true });
      ({ setCookie } = await rs.flush());
    });
    const id = cookieOf(setCookie, '__Host-session');
    const [selector, validator] = cookieOf(setCookie, '__Host-remember').split('.');
    expect(draws.get(32)).toEqual(expect.arrayContaining([id, validator]));
    expect(draws.get(16)).toEqual([selector]);
  });

  it('a refresh token is 32 bytes from crypto.getRandomValues', async () => {
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 'a-test-secret-of-at-least-32-bytes!!' }],
      store: new MemoryStore(),
      policy: presets.api,
    });
    let refreshToken = '';
    const draws = await drawn(async () => {
      ({ refreshToken } = await tokens.issue('ada'));
    });
    expect(draws.get(32)).toContain(refreshToken);
  });
});
