/**
 * The DPoP replay cache on a real redis-server (its Lua compare-and-set): the same proof sent
 * 20 times at once is accepted exactly once, and a bound refresh family rotates there too.
 */
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../../adapters/unstorage/src/redis-store.js';
import { startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { ManualClock } from '../src/clock.js';
import { createDpopVerifier } from '../src/dpop/verifier.js';
import { presets } from '../src/presets.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';
import { dpopKey } from './dpop-keys.js';

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

const API = 'https://api.example.com';

describe('DPoP replay cache on Redis', () => {
  it('the same proof, sent 20 times at once, is accepted exactly once', async () => {
    const clock = new ManualClock(Date.now());
    const store = redisStore(client, { prefix: `dpop-${Math.random()}:` });
    const verifier = createDpopVerifier({ origin: API, store, clock });
    const key = await dpopKey();
    const proof = await key.proof('POST', `${API}/auth/token`, clock.now());
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, () =>
        verifier.verify({ proof, method: 'POST', url: `${API}/auth/token` }),
      ),
    );
    expect(verdicts.filter((v) => v.valid)).toHaveLength(1);
    expect(new Set(verdicts.filter((v) => !v.valid).map((v) => !v.valid && v.reason))).toEqual(
      new Set(['replay']),
    );
  });

  it('a bound family rotates with its key and refuses a thief, on Redis', async () => {
    const clock = new ManualClock(Date.now());
    const store = redisStore(client, { prefix: `dpop-rt-${Math.random()}:` });
    const dpop = createDpopVerifier({ origin: API, store, clock });
    const issuer = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 'r'.repeat(32) }],
      store,
      policy: presets.api,
      clock,
      dpop,
    });
    const key = await dpopKey();
    const thief = await dpopKey();
    const at = (k = key) =>
      k
        .proof('POST', `${API}/auth/token`, clock.now())
        .then((proof) => ({ proof, method: 'POST', url: `${API}/auth/token` }));
    const pair = await issuer.issue('ada', {}, { dpop: await at() });
    expect(await issuer.refresh(pair.refreshToken, { dpop: await at(thief) })).toMatchObject({
      valid: false,
      reason: 'dpop-proof',
    });
    expect((await issuer.refresh(pair.refreshToken, { dpop: await at() })).valid).toBe(true);
  });
});
