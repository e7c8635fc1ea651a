/**
 * Starts the Hono + Redis example: `pnpm example:hono-redis` from the repository root.
 * REDIS_URL (default redis://127.0.0.1:6379) and PORT (default 3000) come from the environment.
 */

import { redisStore } from '@latchkey/unstorage';
import { createApp, startServer } from './app.js';
import { connectRedis } from './redis.js';

const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
// Take traffic only once Redis answers: with no offline queue, a request before that would get 503.
// While Redis is away, ioredis keeps reconnecting and the 'error' listener logs each attempt.
await new Promise((resolve) => redis.once('ready', resolve)); // not events.once: it rejects on 'error'
const running = await startServer(
  createApp({ store: redisStore(redis) }),
  Number(process.env.PORT ?? 3000),
);
console.log(`Hono + Redis example on ${running.url}/  (POST /login, GET /me, POST /logout)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void running.close().then(() => redis.quit()));
}
