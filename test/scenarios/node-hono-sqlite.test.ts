// @latchkey/hono on Node, sessions in SQLite (sqliteStore on a temp file) instead of a MemoryStore.
import { createAdaptorServer } from '@hono/node-server';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore, type SqliteSessionStore } from '../../adapters/sql/src/libsql.js';
import { createFixture } from './app.js';
import { createHonoApp } from './hono-app.js';
import { listenNode } from './serve.js';
import { runScenarios } from './suite.js';

runScenarios('hono on node, sqlite store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-scenarios-'));
  let store: SqliteSessionStore | undefined;
  const url = `file:${join(dir, 'sessions.db')}`;
  const app = createHonoApp(createFixture((clock) => (store = sqliteStore({ url, clock }))));
  const running = await listenNode(createAdaptorServer({ fetch: app.fetch }) as Server);
  return {
    baseUrl: running.baseUrl,
    async stop() {
      await running.stop();
      store?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
