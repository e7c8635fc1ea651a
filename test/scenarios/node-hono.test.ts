// @latchkey/hono on Node through @hono/node-server.
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { createHonoApp } from './hono-app.js';
import { listenNode } from './serve.js';
import { runScenarios } from './suite.js';

runScenarios('hono on node', () =>
  listenNode(createAdaptorServer({ fetch: createHonoApp().fetch }) as Server),
);
