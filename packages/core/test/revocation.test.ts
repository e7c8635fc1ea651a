/**
 * Revocation of stateless tokens: a denylisted jti is refused until its own
 * expiry and then gone from the store; a per-user not-before refuses older
 * access tokens and refresh families; refused tokens emit token-revoked-used.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import type { SessionEvent } from '../src/events.js';
import { presets } from '../src/presets.js';
import { hashSecret } from '../src/random.js';
import { MemoryStore } from '../src/store/memory.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';
import { createRevocation } from '../src/tokens/revocation.js';

function setup() {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const onEvent = (e: SessionEvent) => void events.push(e);
  const issuer = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 'r'.repeat(32) }],
    store: memory,
    policy: presets.api,
    clock,
    onEvent,
  });
  return { clock, memory, events, issuer };
}

describe('revocation by jti', () => {
  it('a full memory store refuses new writes (fail closed) instead of evicting a revocation and reviving the token', async () => {
    const clock = new ManualClock();
    const memory = new MemoryStore({ clock, maxEntries: 100 });
    const issuer = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 'r'.repeat(32) }],
      store: memory,
      policy: presets.api,
      clock,
      cache: false,
    });
    const pair = await issuer.issue('ada');
    expect(await issuer.revokeAccessToken(pair.accessToken)).toBe(true);
    let refused: unknown;
    for (let i = 0; i < 200 && !refused; i++)
      await issuer.issue(`user-${i}`).catch((e: unknown) => void (refused = e));
    expect(refused).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(await issuer.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'revoked',
    });
  });

  it('a revoked access token is refused until its expiry, emits token-revoked-used, and then its entry is gone from the store', async () => {
    const { issuer, clock, memory, events } = setup();
    const pair = await issuer.issue('ada');
    const other = await issuer.issue('ada');
    const verdict = await issuer.verifyAccess(pair.accessToken);
    if (!verdict.valid) throw new Error(verdict.reason);
    const key = `lk:jti:${hashSecret(verdict.claims.jti)}`;
    expect(await issuer.revokeAccessToken(pair.accessToken)).toBe(true);
    expect(events.find((e) => e.type === 'token-revoked')).toMatchObject({
      userId: 'ada',
      jti: verdict.claims.jti,
    });
    expect(await memory.get(key)).not.toBeNull();
    clock.advance('4m');
    expect(await issuer.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'revoked',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'token-revoked-used',
      cause: 'jti',
      userId: 'ada',
      jti: verdict.claims.jti,
    });
    // Only that token: another one of the same user still works.
    expect((await issuer.verifyAccess(other.accessToken)).valid).toBe(true);
    clock.advance('1m');
    expect(await issuer.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(await memory.get(key)).toBeNull();
  });

  it('revoking a token that is not ours, or already expired, stores nothing', async () => {
    const { issuer, clock, memory } = setup();
    expect(await issuer.revokeAccessToken('not.a.token')).toBe(false);
    const pair = await issuer.issue('ada');
    clock.advance('6m');
    expect(await issuer.revokeAccessToken(pair.accessToken)).toBe(false);
    const before = memory.size;
    const revocation = createRevocation({ store: memory, clock });
    await revocation.revokeJti('j-expired', clock.now() - 1);
    expect(memory.size).toBe(before);
  });
});

describe('per-user not-before (log out everywhere)', () => {
  it('refuses access tokens and refresh families issued before it; tokens issued afterwards work', async () => {
    const { issuer, clock, events } = setup();
    const ada = await issuer.issue('ada');
    const bob = await issuer.issue('bob');
    clock.advance('10s');
    await issuer.setNotBefore('ada');
    expect(events.find((e) => e.type === 'user-tokens-revoked')).toMatchObject({
      userId: 'ada',
      notBefore: clock.now(),
    });
    expect(await issuer.verifyAccess(ada.accessToken)).toEqual({ valid: false, reason: 'revoked' });
    expect(events.at(-1)).toMatchObject({
      type: 'token-revoked-used',
      cause: 'not-before',
      userId: 'ada',
    });
    expect(await issuer.refresh(ada.refreshToken)).toEqual({ valid: false, reason: 'revoked' });
    expect((await issuer.verifyAccess(bob.accessToken)).valid).toBe(true);
    expect((await issuer.refresh(bob.refreshToken)).valid).toBe(true);
    // JWT iat has whole seconds, so a token from the same second as the logout is refused (fail-safe); one a second later is not.
    clock.advance('1s');
    const again = await issuer.issue('ada');
    expect((await issuer.verifyAccess(again.accessToken)).valid).toBe(true);
    expect((await issuer.refresh(again.refreshToken)).valid).toBe(true);
  });

  it('a shared registry: notBefore() reads back the time, and check() refuses by issue time', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const revocation = createRevocation({ store, clock, horizon: '1h' });
    expect(await revocation.notBefore('ada')).toBeNull();
    const issuedAt = clock.now();
    clock.advance('1m');
    const at = await revocation.setNotBefore('ada');
    expect(await revocation.notBefore('ada')).toBe(at);
    expect(await revocation.check({ userId: 'ada', issuedAt })).toBe('not-before');
    expect(await revocation.check({ userId: 'ada', issuedAt: at })).toBeNull();
    clock.advance('1h');
    expect(await revocation.notBefore('ada')).toBeNull();
  });
});
