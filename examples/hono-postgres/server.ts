/**
 * Starts the Hono + PostgreSQL example: `pnpm example:hono-postgres` from the repository root.
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and PORT (default 3000)
 * come from the environment.
 */

import { createApp, startServer } from './app.js';
import { connectPostgres } from './database.js';

const { pool, store } = await connectPostgres(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
);
const running = await startServer(createApp({ store }), Number(process.env.PORT ?? 3000));
console.log(`Hono + PostgreSQL example on ${running.url}/  (POST /login, GET /me, POST /logout)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void running.close().then(() => pool.end()));
}
