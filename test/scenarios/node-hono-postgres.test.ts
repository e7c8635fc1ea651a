// @latchkey/hono on Node, sessions in PostgreSQL (postgresStore over pg, a throwaway cluster) instead of a MemoryStore.
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { postgresStore } from '../../adapters/sql/src/pg.js';
import { pg } from '../../adapters/sql/test/support/drivers.js';
import { startPostgres } from '../support/postgres-server.js';
import { createFixture } from './app.js';
import { createHonoApp } from './hono-app.js';
import { listenNode } from './serve.js';
import { runScenarios } from './suite.js';

runScenarios('hono on node, postgres store', async () => {
  const server = await startPostgres();
  const pool = new pg.Pool({ connectionString: server.url });
  pool.on('error', () => {});
  await postgresStore({ client: pool }).migrate();
  const app = createHonoApp(createFixture((clock) => postgresStore({ client: pool, clock })));
  const running = await listenNode(createAdaptorServer({ fetch: app.fetch }) as Server);
  return {
    baseUrl: running.baseUrl,
    async stop() {
      await running.stop();
      await pool.end();
      await server.stop();
    },
  };
});
