// The CSRF scenarios (test/csrf) on @latchkey/hono's latchkey({ csrf }) over @hono/node-server.
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { createCsrfFixture, CSRF_OPTIONS } from '../../../test/csrf/app.js';
import { runCsrfScenarios } from '../../../test/csrf/suite.js';
import { listenNode } from '../../../test/scenarios/serve.js';
import { latchkey } from '../src/index.js';

runCsrfScenarios('hono latchkey({ csrf })', () => {
  const fixture = createCsrfFixture();
  const app = new Hono();
  app.use(latchkey(fixture.latchkey, { csrf: CSRF_OPTIONS }));
  app.all('*', (c) => fixture.routes(c.req.raw, c.var.session));
  return listenNode(createAdaptorServer({ fetch: app.fetch }) as Server);
});
