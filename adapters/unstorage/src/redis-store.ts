/**
 * A `SessionStore` on Redis with every optional capability, through an
 * ioredis client: your own, or the one unstorage's redis driver made.
 */

import type { SessionStore } from '@latchkey/core';
import type { UserIndex } from '@latchkey/core/store';
import { checkExpected, checkString, checkTtl, checkValue } from '@latchkey/core/store';
import {
  compareAndSetScript,
  consumeScript,
  indexAddScript,
  indexListScript,
  indexRemoveAllScript,
  type ScriptClient,
} from './redis-scripts.js';

/** The part of an ioredis client (`Redis` or `Cluster`) that {@link redisStore} uses. */
export interface RedisClient extends ScriptClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ms: number): Promise<unknown>;
  del(key: string): Promise<number>;
  zrem(key: string, member: string): Promise<number>;
}

/** Options for {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Prefix of every Redis key. Records live under `<prefix>k:<key>`, user
   * indexes under `<prefix>u:<userId>`. Default `'latchkey:'`.
   */
  prefix?: string;
}

/** The store {@link redisStore} returns: every optional capability present. */
export type RedisSessionStore = SessionStore &
  Required<Pick<SessionStore, 'userIndex' | 'consume' | 'compareAndSet'>>;

const who = 'redisStore';

function asMembers(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((m) => typeof m === 'string')) {
    throw new Error(`unexpected reply from Redis: ${JSON.stringify(reply)}`);
  }
  return reply;
}

/**
 * A {@link SessionStore} on Redis with native millisecond TTLs and all three
 * capabilities (`userIndex`, `consume`, `compareAndSet`).
 *
 * For the engine to fail closed quickly when Redis is down or hung, rather than
 * queue commands until it returns, create the client with
 * `{ enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 }`
 * and listen for its `error` events (the engine's own `storeTimeout` bounds
 * every call as well).
 *
 * @example
 * import Redis from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL, {
 *   enableOfflineQueue: false,
 *   maxRetriesPerRequest: 0,
 *   commandTimeout: 500,
 * });
 * client.on('error', (error) => console.warn('redis:', error.message));
 * const latchkey = createLatchkey({
 *   policy: presets.productivity,
 *   store: redisStore(client),
 *   sessionLimit: { max: 5, onLimit: 'evict-oldest' },
 * });
 * // or share the client unstorage's redis driver already holds:
 * const store = redisStore(storage.getMount().driver.getInstance());
 */
export function redisStore(
  client: RedisClient,
  options: RedisStoreOptions = {},
): RedisSessionStore {
  if (!client || typeof client.get !== 'function' || typeof client.evalsha !== 'function') {
    throw new TypeError('redisStore: client must be an ioredis client (new Redis(url))');
  }
  const prefix = options.prefix ?? 'latchkey:';
  if (typeof prefix !== 'string')
    throw new TypeError(`redisStore: prefix must be a string, got ${typeof prefix}`);
  const record = (key: string) => `${prefix}k:${key}`;
  const index = (userId: string) => `${prefix}u:${userId}`;
  // Redis wants whole milliseconds; rounding up never returns a value early.
  const px = (ttlMs: number) => Math.ceil(ttlMs);

  const userIndex: UserIndex = {
    async add(userId, member, ttlMs) {
      checkString(who, 'userId', userId);
      checkString(who, 'member', member);
      checkTtl(who, ttlMs);
      await indexAddScript.run(client, index(userId), member, px(ttlMs));
    },
    async list(userId) {
      checkString(who, 'userId', userId);
      return asMembers(await indexListScript.run(client, index(userId)));
    },
    async remove(userId, member) {
      checkString(who, 'userId', userId);
      checkString(who, 'member', member);
      await client.zrem(index(userId), member);
    },
    async removeAll(userId) {
      checkString(who, 'userId', userId);
      return asMembers(await indexRemoveAllScript.run(client, index(userId)));
    },
  };

  return {
    name: 'redis',
    userIndex,

    async get(key) {
      checkString(who, 'key', key);
      return client.get(record(key));
    },

    async set(key, value, ttlMs) {
      checkString(who, 'key', key);
      checkValue(who, value);
      checkTtl(who, ttlMs);
      await client.set(record(key), value, 'PX', px(ttlMs));
    },

    async delete(key) {
      checkString(who, 'key', key);
      await client.del(record(key));
    },

    async consume(key) {
      checkString(who, 'key', key);
      const value = await consumeScript.run(client, record(key));
      return typeof value === 'string' ? value : null;
    },

    async compareAndSet(key, expected, value, ttlMs) {
      checkString(who, 'key', key);
      checkExpected(who, expected);
      checkValue(who, value);
      checkTtl(who, ttlMs);
      const written = await compareAndSetScript.run(
        client,
        record(key),
        expected === null ? '0' : '1',
        expected ?? '',
        value,
        px(ttlMs),
      );
      return written === 1;
    },
  };
}
