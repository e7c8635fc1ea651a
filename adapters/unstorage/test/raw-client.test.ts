/**
 * A raw ioredis client or unstorage Storage passed to createLatchkey as the
 * store is refused with the wrapper to use, and the wrapped one is accepted.
 */
import { ConfigError, createLatchkey, type PolicyOptions } from '@latchkey/core';
import Redis from 'ioredis';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { describe, expect, it } from 'vitest';
import { redisStore, unstorageStore } from '../src/index.js';

/** Sessions only: no remember-me, which would itself require capabilities. */
const policy: PolicyOptions = { idleTimeout: '30m', absoluteTimeout: '8h' };

describe('createLatchkey with a raw client as the store', () => {
  it('ioredis: refused naming redisStore(client); redisStore(client) is accepted', () => {
    // lazyConnect: nothing connects, the test needs no Redis server.
    const client = new Redis({ lazyConnect: true });
    try {
      expect(() => createLatchkey({ policy, store: client as never })).toThrow(ConfigError);
      expect(() => createLatchkey({ policy, store: client as never })).toThrow(
        "createLatchkey: store is a raw ioredis client; wrap it: store: redisStore(client), from '@latchkey/unstorage'",
      );
      expect(() => createLatchkey({ policy, store: redisStore(client) })).not.toThrow();
    } finally {
      client.disconnect();
    }
  });

  it('unstorage: refused naming unstorageStore(storage); unstorageStore(storage) is accepted', () => {
    const storage = createStorage({ driver: memoryDriver() });
    expect(() => createLatchkey({ policy, store: storage as never })).toThrow(ConfigError);
    expect(() => createLatchkey({ policy, store: storage as never })).toThrow(
      "createLatchkey: store is an unstorage Storage; wrap it: store: unstorageStore(storage), from '@latchkey/unstorage'",
    );
    expect(() => createLatchkey({ policy, store: unstorageStore(storage) })).not.toThrow();
  });
});
