/**
 * redisStore against a real redis-server on loopback: native PX expiry, Lua
 * consume and compare-and-set, and a per-user sorted-set index.
 */
import { createLatchkey, SessionLimitError, type Latchkey } from '@latchkey/core';
import { testStore } from '@latchkey/core/testing';
import Redis from 'ioredis';
import { createStorage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { redisStore, type RedisClient } from '../src/redis.js';

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

// Redis PX (and the envelope) expire to the millisecond and timers never fire
// early, so 10 ms of slack suffices; the rest of the TTL is margin for a loaded
// machine's late timers (half the TTL minus slack: 100 ms). Waits: ~1.5 s.
testStore('redis', () => redisStore(client), {
  capabilities: ['userIndex', 'consume', 'compareAndSet'],
  // Redis expires keys on its own clock: the TTL leaves room for a loaded CI machine between two calls.
  realTime: { minTtlMs: 1000, slackMs: 20 },
});

describe('redisStore', () => {
  it('expires a user index together with its last member, so an index never outlives its sessions', async () => {
    const store = redisStore(client, { prefix: 'idx-test:' });
    await store.userIndex.add('ada', 'short', 60_000);
    await store.userIndex.add('ada', 'long', 120_000);
    await store.userIndex.add('ada', 'short', 60_000); // re-adding a shorter member keeps the longer expiry
    const pttl = await client.pttl('idx-test:u:ada');
    expect(pttl).toBeGreaterThan(110_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
    await store.userIndex.removeAll('ada');
    expect(await client.exists('idx-test:u:ada')).toBe(0);
  });

  it('keeps records and user indexes in separate key spaces', async () => {
    const store = redisStore(client, { prefix: 'space-test:' });
    await store.set('u:bob', 'a record, not an index', 60_000);
    await store.userIndex.add('bob', 'h1', 60_000);
    expect(await store.get('u:bob')).toBe('a record, not an index');
    expect(await store.userIndex.list('bob')).toEqual(['h1']);
  });

  it("works on the client unstorage's redis driver already holds", async () => {
    const storage = createStorage({ driver: redisDriver({ url: redis.url }) });
    try {
      const store = redisStore(storage.getMount().driver.getInstance!() as RedisClient);
      await store.set('shared', 'via the driver client', 60_000);
      expect(await store.consume('shared')).toBe('via the driver client');
    } finally {
      await storage.dispose();
    }
  });

  it('runs its scripts on a server that has never seen them (NOSCRIPT falls back to EVAL)', async () => {
    const store = redisStore(client, { prefix: 'flush-test:' });
    await store.set('x', 'v0', 60_000);
    await client.script('FLUSH');
    expect(await store.compareAndSet('x', 'v0', 'v1', 60_000)).toBe(true);
    expect(await store.get('x')).toBe('v1');
  });

  it("carries the engine's per-user features: session limit, listing, log out everywhere", async () => {
    const latchkey = createLatchkey({
      policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
      store: redisStore(client, { prefix: 'engine-test:' }),
      sessionLimit: { max: 2, onLimit: 'refuse' },
    });
    const login = async (lk: Latchkey, userId: string) => {
      const rs = lk.forRequest(new Request('https://app.example/login', { method: 'POST' }));
      const session = await rs.login(userId);
      await rs.flush();
      return session.handle;
    };
    const handles = [await login(latchkey, 'ada'), await login(latchkey, 'ada')];
    await expect(login(latchkey, 'ada')).rejects.toBeInstanceOf(SessionLimitError);
    expect((await latchkey.listSessions('ada')).map((s) => s.handle).sort()).toEqual(
      [...handles].sort(),
    );
    expect(await latchkey.revokeUser('ada')).toBe(2);
    expect(await latchkey.listSessions('ada')).toEqual([]);
    await login(latchkey, 'ada'); // room again
  });

  it('checks arguments at the edge, naming the field', async () => {
    const store = redisStore(client);
    await expect(store.set('k', 'v', Number.NaN)).rejects.toThrow(RangeError);
    await expect(store.userIndex.add('', 'm', 1)).rejects.toThrow(
      /userId must be a non-empty string/,
    );
    await expect(store.compareAndSet('k', 1 as unknown as string, 'v', 1)).rejects.toThrow(
      /expected must be a string or null/,
    );
    expect(() => redisStore({} as RedisClient)).toThrow(/ioredis client/);
  });
});
