/**
 * A revoked refresh-token family takes its access tokens with it (ASVS
 * V7.4.1): after reuse detection or a logout, access tokens already minted
 * from that family are refused at once, not when they expire, and checking
 * costs no store read beyond the two a verification already made.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import type { SessionEvent } from '../src/events.js';
import { presets } from '../src/presets.js';
import { hashSecret } from '../src/random.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';

const MINUTE = 60_000;

function setup() {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  let reads = 0;
  const store: SessionStore = {
    name: 'counting memory',
    get: (key) => {
      reads++;
      return memory.get(key);
    },
    set: (key, value, ttl) => memory.set(key, value, ttl),
    delete: (key) => memory.delete(key),
    consume: (key) => memory.consume(key),
    compareAndSet: (key, expected, value, ttl) => memory.compareAndSet(key, expected, value, ttl),
    userIndex: memory.userIndex,
  };
  const events: SessionEvent[] = [];
  const tokens = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 's'.repeat(32) }],
    store,
    policy: presets.api,
    clock,
    onEvent: (e) => void events.push(e),
  });
  return { clock, tokens, events, memory, reads: () => reads };
}

describe('revoking a refresh-token family', () => {
  it('reuse detection refuses the access tokens the family already minted, and only those', async () => {
    const { clock, tokens, events } = setup();
    const first = await tokens.issue('ada');
    const otherDevice = await tokens.issue('ada');
    clock.advance('1m');
    const rotated = await tokens.refresh(first.refreshToken);
    if (!rotated.valid) throw new Error('refresh failed');
    expect(await tokens.verifyAccess(rotated.tokens.accessToken)).toMatchObject({ valid: true });
    clock.advance('10s'); // past the 5 s grace
    expect(await tokens.refresh(first.refreshToken)).toEqual({
      valid: false,
      reason: 'reuse-detected',
    });
    // Both access tokens of the family, the first and the one its rotation minted, are dead now.
    for (const token of [first.accessToken, rotated.tokens.accessToken])
      expect(await tokens.verifyAccess(token)).toEqual({ valid: false, reason: 'revoked' });
    expect(
      events.filter((e) => e.type === 'token-revoked-used').map((e) => 'cause' in e && e.cause),
    ).toEqual(['family', 'family']);
    // The same user's other device is untouched.
    expect(await tokens.verifyAccess(otherDevice.accessToken)).toMatchObject({ valid: true });
  });

  it('logout with the refresh token refuses the access tokens of its family, even ones not presented', async () => {
    const { tokens } = setup();
    const pair = await tokens.issue('ada');
    await tokens.logout({ refreshToken: pair.refreshToken });
    expect(await tokens.verifyAccess(pair.accessToken)).toEqual({
      valid: false,
      reason: 'revoked',
    });
  });

  it('two families revoked at once are both kept', async () => {
    const { tokens } = setup();
    const a = await tokens.issue('ada');
    const b = await tokens.issue('ada');
    await Promise.all([
      tokens.logout({ refreshToken: a.refreshToken }),
      tokens.logout({ refreshToken: b.refreshToken }),
    ]);
    for (const pair of [a, b])
      expect(await tokens.verifyAccess(pair.accessToken)).toEqual({
        valid: false,
        reason: 'revoked',
      });
  });

  it('checking costs no extra store read: a cached verification still reads twice (jti, user)', async () => {
    const { tokens, reads } = setup();
    const live = await tokens.issue('ada');
    const gone = await tokens.issue('ada');
    await tokens.logout({ refreshToken: gone.refreshToken });
    await tokens.verifyAccess(live.accessToken); // now in the verified cache
    const before = reads();
    expect(await tokens.verifyAccess(live.accessToken)).toMatchObject({ valid: true });
    expect(reads() - before).toBe(2);
  });

  it('the revoked family is remembered only as long as its access tokens live', async () => {
    const { clock, tokens } = setup();
    const gone = await tokens.issue('ada');
    await tokens.logout({ refreshToken: gone.refreshToken });
    clock.advance(6 * MINUTE); // past the api preset's 5-minute access tokens
    expect(await tokens.verifyAccess(gone.accessToken)).toMatchObject({
      valid: false,
      reason: 'expired',
    });
    const fresh = await tokens.issue('ada');
    expect(await tokens.verifyAccess(fresh.accessToken)).toMatchObject({ valid: true });
  });
});
