// examples/hono-redis through its own builder and server, on a throwaway redis-server.
import { once } from 'node:events';
import { ManualClock } from '@latchkey/core/testing';
import { redisStore } from '@latchkey/unstorage';
import { describe } from 'vitest';
import { createApp, startServer } from '../../examples/hono-redis/app.js';
import { connectRedis } from '../../examples/hono-redis/redis.js';
import { startRedis } from '../support/redis-server.js';
import { smokeTest } from './smoke.js';

describe('examples/hono-redis', () => {
  smokeTest(async () => {
    const server = await startRedis();
    const redis = connectRedis(server.url, () => {});
    try {
      await once(redis, 'ready'); // with no offline queue, a command before that is refused
      const clock = new ManualClock();
      const app = createApp({ store: redisStore(redis), clock, warn: () => {} });
      const running = await startServer(app, 0);
      return {
        baseUrl: running.url,
        advance: (ms) => void clock.advance(ms),
        async stop() {
          await running.close();
          redis.disconnect();
          await server.stop();
        },
      };
    } catch (error) {
      redis.disconnect();
      await server.stop(); // a failed start leaves no redis-server behind
      throw error;
    }
  });
});
