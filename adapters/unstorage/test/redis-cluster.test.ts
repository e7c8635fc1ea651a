/**
 * redisStore on a local three-master Redis Cluster: the whole conformance
 * suite and the engine on top, so no operation (Lua scripts included) ever
 * takes keys from two slots.
 */
import { createLatchkey, presets } from '@latchkey/core';
import { testStore } from '@latchkey/core/testing';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../../test/support/redis-cluster.js';
import { redisStore, type RedisClient } from '../src/redis.js';

let cluster: RedisCluster;
let client: InstanceType<typeof Redis.Cluster>;
beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Redis.Cluster([...cluster.nodes]);
});
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

testStore(
  'redis cluster',
  () => redisStore(client as unknown as RedisClient, { prefix: `c${Date.now()}:` }),
  {
    capabilities: ['userIndex', 'consume', 'compareAndSet'],
    realTime: { minTtlMs: 1000, slackMs: 20 },
  },
);

describe('the engine on a Redis Cluster', () => {
  it('signs in, lists, renews and logs out everywhere across slots', async () => {
    const engine = createLatchkey({
      policy: presets.productivity,
      store: redisStore(client as unknown as RedisClient, { prefix: 'engine:' }),
    });
    const origin = 'https://app.example';
    const handles: string[] = [];
    for (let i = 0; i < 5; i++) {
      const rs = engine.forRequest(new Request(`${origin}/login`, { method: 'POST' }));
      handles.push((await rs.login('ada', { rememberMe: i === 0 })).handle);
      await rs.flush();
    }
    const listed = await engine.listSessions('ada');
    expect(listed.map((s) => s.handle).sort()).toEqual([...handles].sort());
    expect(await engine.listRememberedLogins('ada')).toHaveLength(1);
    expect(await engine.revokeUser('ada')).toBe(5);
    expect(await engine.listSessions('ada')).toEqual([]);
    expect(await engine.listRememberedLogins('ada')).toEqual([]);
  });
});
