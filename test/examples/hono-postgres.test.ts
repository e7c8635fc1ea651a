// examples/hono-postgres through its own builder and server, on a throwaway PostgreSQL cluster.
import { ManualClock } from '@latchkey/core/testing';
import { describe } from 'vitest';
import { createApp, startServer } from '../../examples/hono-postgres/app.js';
import { connectPostgres } from '../../examples/hono-postgres/database.js';
import { startPostgres } from '../support/postgres-server.js';
import { smokeTest } from './smoke.js';

describe('examples/hono-postgres', () => {
  smokeTest(async () => {
    const server = await startPostgres();
    try {
      const clock = new ManualClock();
      const { pool, store } = await connectPostgres(server.url, { clock, onError: () => {} });
      const running = await startServer(createApp({ store, clock, warn: () => {} }), 0);
      return {
        baseUrl: running.url,
        advance: (ms) => void clock.advance(ms),
        async stop() {
          await running.close();
          await pool.end();
          await server.stop();
        },
      };
    } catch (error) {
      await server.stop(); // a failed start leaves no cluster behind
      throw error;
    }
  });
});
