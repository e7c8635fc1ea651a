/** The Redis client as production wants it: it fails fast when Redis is away instead of queueing. */

import Redis from 'ioredis';

/**
 * No offline queue, no retries, a command timeout: a request during an outage answers 503 at once
 * rather than hanging. ioredis reports every outage as an 'error' event, which would otherwise end
 * the process, so one is always listened to.
 *
 * @example
 * const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 */
export function connectRedis(
  url: string,
  onError: (error: Error) => void = (error) => console.warn('redis:', error.message),
): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
  });
  redis.on('error', onError); // requests answer 503 meanwhile
  return redis;
}
