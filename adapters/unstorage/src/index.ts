/**
 * @latchkey/unstorage: Latchkey session stores over unstorage (any driver)
 * and over Redis directly (native TTLs, atomic scripts, a per-user index).
 * The Redis store alone is on `@latchkey/unstorage/redis`.
 */
export {
  unstorageStore,
  type UnstorageStoreOptions,
  type UnstorageLike,
  type UnstorageSessionStore,
  type SweepOptions,
} from './unstorage-store.js';
export {
  redisStore,
  type RedisClient,
  type RedisStoreOptions,
  type RedisSessionStore,
} from './redis.js';
