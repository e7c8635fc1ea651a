/**
 * Starts the Express + Passport example: `pnpm example:express-passport` from the repository
 * root; PORT (default 3000) comes from the environment. Sessions live in this process's memory, so they end when it
 * stops; with several processes pass `redisStore(redis)` or `postgresStore({ client: pool })`
 * instead (examples/hono-redis, examples/hono-postgres).
 */

import { MemoryStore } from '@latchkey/core';
import { createApp, startServer } from './app.js';

const running = await startServer(
  createApp({ store: new MemoryStore() }),
  Number(process.env.PORT ?? 3000),
);
console.log(`Express + Passport example on ${running.url}/  (POST /login, GET /me, POST /logout)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void running.close());
}
