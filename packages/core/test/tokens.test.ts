/**
 * The token issuer: access tokens, refresh rotation with reuse detection and
 * the grace window, lifetimes on the manual clock, store capability checks,
 * the refresh cookie, and junk refresh tokens refused without throwing
 * (one-character changes of each token: tamper.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { hashSecret } from '../src/random.js';
import { StoreCapabilityError, StoreError } from '../src/errors.js';
import type { SessionEvent } from '../src/events.js';
import { presets } from '../src/presets.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import {
  createTokenIssuer,
  type TokenIssuerOptions,
  type TokenPair,
} from '../src/tokens/issuer.js';

const SECRET = 's'.repeat(32);

function setup(options: Partial<TokenIssuerOptions> & { capabilities?: 'cas' | 'consume' } = {}) {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const store: SessionStore =
    options.capabilities === 'consume'
      ? {
          name: 'consume-only',
          get: (k) => memory.get(k),
          set: (k, v, t) => memory.set(k, v, t),
          delete: (k) => memory.delete(k),
          consume: (k) => memory.consume(k),
        }
      : memory;
  const events: SessionEvent[] = [];
  const issuer = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: SECRET }],
    store,
    policy: presets.api,
    clock,
    onEvent: (e) => void events.push(e),
    ...options,
  });
  const types = () => events.map((e) => e.type);
  return { clock, memory, store, events, types, issuer };
}

describe('createTokenIssuer: construction', () => {
  it('refuses a store without consume or compareAndSet, saying why and naming the stores that work', () => {
    const clock = new ManualClock();
    const memory = new MemoryStore({ clock });
    const kv: SessionStore = {
      name: 'workers-kv',
      get: (k) => memory.get(k),
      set: (k, v, t) => memory.set(k, v, t),
      delete: (k) => memory.delete(k),
    };
    const make = () =>
      createTokenIssuer({
        keys: [{ kid: 'k', alg: 'HS256', secret: SECRET }],
        store: kv,
        policy: presets.api,
        clock,
      });
    expect(make).toThrow(StoreCapabilityError);
    expect(make).toThrow(
      /workers-kv provides neither.*memory store, Redis, Deno KV and Durable Objects/,
    );
  });

  it('refuses short secrets, an empty key list and a policy without token lifetimes', () => {
    const store = new MemoryStore();
    expect(() =>
      createTokenIssuer({
        keys: [{ kid: 'k', alg: 'HS256', secret: 'short' }],
        store,
        policy: presets.api,
      }),
    ).toThrow(/at least 32 bytes/);
    expect(() => createTokenIssuer({ keys: [], store, policy: presets.api })).toThrow(
      /key list is empty/,
    );
    expect(() =>
      createTokenIssuer({
        keys: [{ kid: 'k', alg: 'HS256', secret: SECRET }],
        store,
        policy: presets.productivity,
      }),
    ).toThrow(/accessTokenTtl/);
  });
});

describe('access tokens', () => {
  it('issue → verify: the subject and custom claims come back; after accessTokenTtl the token is expired', async () => {
    const { issuer, clock } = setup();
    const pair = await issuer.issue('ada', { role: 'admin' });
    expect(pair.expiresIn).toBe(300);
    expect(pair.refreshExpiresIn).toBe(14 * 86_400);
    const verdict = await issuer.verifyAccess(pair.accessToken);
    expect(verdict).toMatchObject({ valid: true, claims: { sub: 'ada', role: 'admin' } });
    clock.advance('5m');
    expect(await issuer.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('the HMAC key is imported once, not per request; the verified-token cache spares repeated signature checks, not revocation', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    try {
      const { issuer } = setup();
      const pair = await issuer.issue('ada');
      for (let i = 0; i < 10; i++)
        expect((await issuer.verifyAccess(pair.accessToken)).valid).toBe(true);
      const other = await issuer.issue('bob');
      expect((await issuer.verifyAccess(other.accessToken)).valid).toBe(true);
      expect(importKey).toHaveBeenCalledTimes(1);
      expect(verify).toHaveBeenCalledTimes(2);
      await issuer.revokeAccessToken(pair.accessToken);
      expect(await issuer.verifyAccess(pair.accessToken)).toEqual({
        valid: false,
        reason: 'revoked',
      });
      const uncached = setup({ cache: false });
      const p2 = await uncached.issuer.issue('ada');
      verify.mockClear();
      for (let i = 0; i < 3; i++) await uncached.issuer.verifyAccess(p2.accessToken);
      expect(verify).toHaveBeenCalledTimes(3);
    } finally {
      importKey.mockRestore();
      verify.mockRestore();
    }
  });

  it('claims a handler changes are its own: the next verification of the same token, from the cache, returns what the token says', async () => {
    const { issuer } = setup();
    const pair = await issuer.issue('ada', { roles: ['reader'] });
    for (let i = 0; i < 2; i++) {
      const verdict = await issuer.verifyAccess(pair.accessToken);
      if (!verdict.valid) throw new Error('expected a valid token');
      expect(verdict.claims).toMatchObject({ sub: 'ada', roles: ['reader'] });
      expect(verdict.claims.impersonating).toBeUndefined();
      // A handler enriching the claims for its own request (first from a fresh verification, then from the cache).
      (verdict.claims.roles as string[]).push('admin');
      verdict.claims.impersonating = 'bob';
    }
    const again = await issuer.verifyAccess(pair.accessToken);
    expect(again).toMatchObject({ valid: true, claims: { sub: 'ada', roles: ['reader'] } });
  });

  it('registered claims cannot be overridden by the application', async () => {
    const { issuer } = setup();
    await expect(issuer.issue('ada', { sub: 'root' })).rejects.toThrow(/claims\.sub/);
  });

  it('issuer and audience are set and required', async () => {
    const a = setup({ issuer: 'https://auth.example', audience: 'api' });
    const pair = await a.issuer.issue('ada');
    expect(await a.issuer.verifyAccess(pair.accessToken)).toMatchObject({
      valid: true,
      claims: { iss: 'https://auth.example', aud: 'api' },
    });
    const b = setup({ issuer: 'https://auth.example', audience: 'other-api' });
    expect(await b.issuer.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'wrong-claims',
    });
  });
});

describe('refresh tokens: rotation and reuse detection', () => {
  it('each use rotates; the used token presented again outside the grace window revokes the whole family', async () => {
    const { issuer, clock, types, events } = setup();
    const first = await issuer.issue('ada');
    const second = await issuer.refresh(first.refreshToken);
    if (!second.valid) throw new Error(second.reason);
    expect(second.tokens.refreshToken).not.toBe(first.refreshToken);
    expect(second.tokens.accessToken).not.toBe(first.accessToken);
    clock.advance('6s');
    expect(await issuer.refresh(first.refreshToken)).toEqual({
      valid: false,
      reason: 'reuse-detected',
    });
    expect(types()).toContain('refresh-reuse');
    expect(events.find((e) => e.type === 'family-revoked')).toMatchObject({
      userId: 'ada',
      cause: 'reuse',
    });
    // The successor, held by whoever rotated first, is dead too.
    expect(await issuer.refresh(second.tokens.refreshToken)).toEqual({
      valid: false,
      reason: 'revoked',
    });
    expect(events.at(-1)).toMatchObject({ type: 'token-revoked-used', cause: 'family' });
    // Another family of the same user is untouched.
    const other = await issuer.issue('ada');
    expect((await issuer.refresh(other.refreshToken)).valid).toBe(true);
  });

  for (const capabilities of ['cas', 'consume'] as const) {
    it(`50 concurrent refreshes with one token inside the grace window all get the same successor; the family survives (${capabilities})`, async () => {
      const { issuer, clock, types } = setup({ capabilities });
      const pair = await issuer.issue('ada');
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => issuer.refresh(pair.refreshToken)),
      );
      const tokens = outcomes.map((o) => (o.valid ? o.tokens : null));
      expect(tokens.every((t) => t !== null)).toBe(true);
      const successors = new Set(tokens.map((t) => t!.refreshToken));
      expect(successors.size).toBe(1);
      expect(new Set(tokens.map((t) => t!.accessToken)).size).toBe(1);
      expect(types()).not.toContain('refresh-reuse');
      clock.advance('1m');
      const next = await issuer.refresh([...successors][0]!);
      expect(next.valid).toBe(true);
      if (next.valid) expect((await issuer.verifyAccess(next.tokens.accessToken)).valid).toBe(true);
    });
  }

  it('a late duplicate inside the grace window gets the same successor, not a new one', async () => {
    const { issuer, clock } = setup({ reuseGrace: '5s' });
    const pair = await issuer.issue('ada');
    const a = await issuer.refresh(pair.refreshToken);
    clock.advance('4s');
    const b = await issuer.refresh(pair.refreshToken);
    expect(a.valid && b.valid && a.tokens.refreshToken === b.tokens.refreshToken).toBe(true);
    if (b.valid) expect(b.tokens.expiresIn).toBe(296);
  });

  for (const capabilities of ['cas', 'consume'] as const) {
    it(`only the token immediately before the current one is honoured in the grace window: two rotations back is reuse, and the family is revoked (${capabilities})`, async () => {
      const { issuer, clock, types } = setup({ reuseGrace: '5s', capabilities });
      const first = await issuer.issue('ada');
      const second = await issuer.refresh(first.refreshToken);
      if (!second.valid) throw new Error(second.reason);
      clock.advance('1s');
      const third = await issuer.refresh(second.tokens.refreshToken);
      if (!third.valid) throw new Error(third.reason);
      clock.advance('1s');
      // The predecessor of the current token, still inside its window, gets the current pair again.
      const again = await issuer.refresh(second.tokens.refreshToken);
      expect(again.valid && again.tokens.refreshToken).toBe(third.tokens.refreshToken);
      // The token before that, also inside its window, is a replay: reuse, and the whole family ends.
      expect(await issuer.refresh(first.refreshToken)).toEqual({
        valid: false,
        reason: 'reuse-detected',
      });
      expect(types()).toContain('refresh-reuse');
      expect(await issuer.refresh(third.tokens.refreshToken)).toEqual({
        valid: false,
        reason: 'revoked',
      });
    });
  }

  it('reuseGrace 0: any second use is reuse', async () => {
    const { issuer } = setup({ reuseGrace: 0 });
    const pair = await issuer.issue('ada');
    expect((await issuer.refresh(pair.refreshToken)).valid).toBe(true);
    expect(await issuer.refresh(pair.refreshToken)).toEqual({
      valid: false,
      reason: 'reuse-detected',
    });
  });

  it('the store holds no usable refresh token: keys are hashes, and the successor is sealed and kept for the grace window only', async () => {
    const { issuer, memory, clock } = setup({ reuseGrace: '5s' });
    const pair = await issuer.issue('ada');
    const next = await issuer.refresh(pair.refreshToken);
    if (!next.valid) throw new Error(next.reason);
    // MemoryStore has no listing, so read back what the issuer wrote under each token's key.
    const usedKey = `lk:rt:${hashSecret(pair.refreshToken)}`;
    const used = JSON.parse((await memory.get(usedKey))!) as { state: string; successor: string };
    const active = (await memory.get(`lk:rt:${hashSecret(next.tokens.refreshToken)}`))!;
    const sealed = await memory.get(`${usedKey}:next:${used.successor}`);
    expect(used.state).toBe('used');
    expect(active).toContain('"state":"active"');
    expect(sealed).not.toBeNull();
    const all = [JSON.stringify(used), active, sealed].join('\n');
    for (const secret of [pair.refreshToken, next.tokens.refreshToken, next.tokens.accessToken])
      expect(all).not.toContain(secret);
    // After the grace window the sealed successor is gone: the old token plus a store dump open nothing.
    clock.advance('5s');
    expect(await memory.get(`${usedKey}:next:${used.successor}`)).toBeNull();
    expect(await memory.get(usedKey)).not.toBeNull(); // the used marker stays, for reuse detection
  });
});

describe('refresh tokens: lifetimes', () => {
  it('expire after refreshTokenTtl without use (sliding with each rotation)', async () => {
    const { issuer, clock } = setup();
    let pair: TokenPair = await issuer.issue('ada');
    for (let i = 0; i < 3; i++) {
      clock.advance('13d');
      const next = await issuer.refresh(pair.refreshToken);
      if (!next.valid) throw new Error(next.reason);
      pair = next.tokens;
    }
    clock.advance('14d');
    expect(await issuer.refresh(pair.refreshToken)).toEqual({
      valid: false,
      reason: 'expired-idle',
    });
  });

  it('the family ends at the absolute lifetime (90 days for presets.api) however often it is used', async () => {
    const { issuer, clock } = setup();
    let pair: TokenPair = await issuer.issue('ada');
    for (let k = 0; k < 6; k++) {
      clock.advance('13d');
      const next = await issuer.refresh(pair.refreshToken);
      if (!next.valid) throw new Error(`refresh ${k}: ${next.reason}`);
      pair = next.tokens;
    }
    // Day 78: the new refresh token lives to the family's end (day 90), not 14 more days.
    expect(pair.refreshExpiresIn).toBe(12 * 86_400);
    clock.advance('12d');
    expect(await issuer.refresh(pair.refreshToken)).toEqual({
      valid: false,
      reason: 'expired-absolute',
    });
  });

  it('junk refresh tokens (empty, short, wrong alphabet, lone surrogates, 10,000 characters) are refused without throwing', async () => {
    const { issuer } = setup();
    const pair = await issuer.issue('ada');
    for (const junk of [
      '',
      'x',
      'A'.repeat(43),
      '!'.repeat(43),
      '\uD800'.repeat(43),
      'A'.repeat(10_000),
    ]) {
      expect((await issuer.refresh(junk)).valid).toBe(false);
    }
    expect((await issuer.refresh(pair.refreshToken)).valid).toBe(true);
  });

  it('a failing store fails closed with StoreError and a store-error event', async () => {
    const { issuer, memory, types } = setup();
    const pair = await issuer.issue('ada');
    memory.get = async () => {
      throw new Error('connection reset');
    };
    await expect(issuer.refresh(pair.refreshToken)).rejects.toBeInstanceOf(StoreError);
    await expect(issuer.verifyAccess(pair.accessToken)).rejects.toBeInstanceOf(StoreError);
    expect(types()).toContain('store-error');
  });
});

describe('logout and the refresh cookie', () => {
  it('revokeRefreshToken ends the family; logout also denies the access token', async () => {
    const { issuer, events } = setup();
    const pair = await issuer.issue('ada');
    await issuer.logout({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
    expect(await issuer.refresh(pair.refreshToken)).toEqual({ valid: false, reason: 'revoked' });
    expect(await issuer.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'revoked',
    });
    expect(events.filter((e) => e.type === 'token-revoked-used').length).toBe(2);
    expect(await issuer.revokeRefreshToken(pair.refreshToken)).toBe(false);
  });

  it('refreshCookie: __Secure- prefix, HttpOnly, Secure, SameSite=Strict, the refresh path, the token lifetime; read back from a request', async () => {
    const { issuer } = setup({ cookie: { path: '/auth/refresh' } });
    const pair = await issuer.issue('ada');
    const line = issuer.refreshCookie(pair);
    expect(line).toMatch(
      new RegExp(
        `^__Secure-refresh=${pair.refreshToken}; Max-Age=${14 * 86_400}; Expires=[^;]+; Path=/auth/refresh; Secure; HttpOnly; SameSite=Strict$`,
      ),
    );
    const request = new Request('https://app.example/auth/refresh', {
      method: 'POST',
      headers: { cookie: `a=b; __Secure-refresh=${pair.refreshToken}` },
    });
    expect(issuer.readRefreshToken(request)).toBe(pair.refreshToken);
    expect(
      issuer.readRefreshToken(new Request('https://app.example/auth/refresh')),
    ).toBeUndefined();
    expect(issuer.clearRefreshCookie()).toMatch(
      /^__Secure-refresh=; Max-Age=0; .*Path=\/auth\/refresh/,
    );
  });
});
