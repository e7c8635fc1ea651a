/**
 * Refresh-token rotation against a real redis-server (its Lua compare-and-set
 * and consume), where concurrent refreshes really interleave over a socket.
 * Decisions run on the manual clock; every key written
 * lives for days, so Redis' own wall-clock TTLs never interfere.
 */
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../../adapters/unstorage/src/redis-store.js';
import { startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { ManualClock } from '../src/clock.js';
import type { SessionEvent } from '../src/events.js';
import { presets } from '../src/presets.js';
import type { SessionStore } from '../src/store/types.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

function issuerOn(store: SessionStore) {
  const clock = new ManualClock();
  const events: SessionEvent[] = [];
  const issuer = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 'r'.repeat(32) }],
    store,
    policy: presets.api,
    clock,
    onEvent: (e) => void events.push(e),
  });
  return { clock, events, issuer };
}

describe('refresh rotation on Redis', () => {
  const variants: Array<[string, () => SessionStore]> = [
    ['compare-and-set', () => redisStore(client, { prefix: `cas-${Math.random()}:` })],
    [
      'consume only',
      () => {
        const full = redisStore(client, { prefix: `consume-${Math.random()}:` });
        return {
          name: 'redis-consume-only',
          get: full.get,
          set: full.set,
          delete: full.delete,
          consume: full.consume,
        };
      },
    ],
  ];
  for (const [name, make] of variants) {
    it(`50 concurrent refreshes with one token all get the same successor; a use after the grace window revokes the family (${name})`, async () => {
      const { issuer, clock, events } = issuerOn(make());
      const pair = await issuer.issue('ada');
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => issuer.refresh(pair.refreshToken)),
      );
      expect(outcomes.every((o) => o.valid)).toBe(true);
      const successors = new Set(outcomes.map((o) => (o.valid ? o.tokens.refreshToken : '')));
      expect(successors.size).toBe(1);
      expect(events.filter((e) => e.type === 'token-refreshed' && !e.concurrent)).toHaveLength(1);
      const [successor] = [...successors] as [string];
      clock.advance('10s');
      expect(await issuer.refresh(pair.refreshToken)).toEqual({
        valid: false,
        reason: 'reuse-detected',
      });
      expect(await issuer.refresh(successor)).toEqual({ valid: false, reason: 'revoked' });
    });
  }
});
