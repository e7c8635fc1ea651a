// The bearer scenarios (test/bearer) on @latchkey/hono's requireAccessToken() over @hono/node-server.
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { runBearerScenarios } from '../../../test/bearer/suite.js';
import { listenNode } from '../../../test/scenarios/serve.js';
import { requireAccessToken } from '../src/index.js';

runBearerScenarios('hono requireAccessToken()', ({ tokens }) => {
  const app = new Hono();
  app.get('/api/me', requireAccessToken(tokens), (c) =>
    c.json({ user: c.var.claims.sub, role: c.var.claims.role }),
  );
  return listenNode(createAdaptorServer({ fetch: app.fetch }) as Server);
});
