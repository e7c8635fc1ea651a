/**
 * @latchkey/unstorage/redis: the Redis store alone (native TTLs, atomic
 * scripts, a per-user index) on an ioredis client. Nothing here imports
 * unstorage, so an app on Redis needs neither it nor its driver types.
 */
export {
  redisStore,
  type RedisClient,
  type RedisStoreOptions,
  type RedisSessionStore,
} from './redis-store.js';
