/**
 * unstorageStore over unstorage's redis driver, against a real redis-server
 * on loopback. Expiry here is real time: the store reads the system clock.
 */
import { testStore } from '@latchkey/core/testing';
import type Redis from 'ioredis';
import { createStorage, type Storage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { unstorageStore } from '../src/index.js';

let redis: RedisServer;
let storage: Storage;
beforeAll(async () => {
  redis = await startRedis();
  storage = createStorage({ driver: redisDriver({ url: redis.url }) });
});
afterAll(async () => {
  await storage?.dispose();
  await redis?.stop();
});

// Redis PX (and the envelope) expire to the millisecond and timers never fire
// early, so 10 ms of slack suffices; the rest of the TTL is margin for a loaded
// machine's late timers (half the TTL minus slack: 100 ms). Waits: ~0.6 s.
testStore('unstorage, redis driver', () => unstorageStore(storage), {
  // Redis expires keys on its own clock: the TTL leaves room for a loaded CI machine between two calls.
  realTime: { minTtlMs: 1000, slackMs: 20 },
});

describe('unstorageStore on the redis driver', () => {
  it('is named after its driver, and hands Redis a native TTL (whole seconds, rounded up) so keys do not leak', async () => {
    const store = unstorageStore(storage);
    expect(store.name).toBe('unstorage(redis)');
    const client = storage.getMount().driver.getInstance!() as Redis;
    await store.set('ttl:short', 'x', 1200);
    await store.set('ttl:long', 'y', 3_600_000);
    const short = await client.pttl('latchkey:ttl%3Ashort');
    expect(short).toBeGreaterThan(1200);
    expect(short).toBeLessThanOrEqual(2000);
    expect(await client.pttl('latchkey:ttl%3Along')).toBeGreaterThan(3_590_000);
  });
});
