// The CSRF scenarios (test/csrf) on @latchkey/node: Express's latchkeyMiddleware({ csrf }) and
// createHandler({ csrf }) on node:http.
import express from 'express';
import { createServer } from 'node:http';
import { createCsrfFixture, CSRF_OPTIONS } from '../../../test/csrf/app.js';
import { runCsrfScenarios } from '../../../test/csrf/suite.js';
import { listenNode } from '../../../test/scenarios/serve.js';
import { createHandler, latchkeyMiddleware, writeResponse } from '../src/index.js';

runCsrfScenarios('express latchkeyMiddleware({ csrf })', () => {
  const fixture = createCsrfFixture();
  const app = express();
  app.use(latchkeyMiddleware(fixture.latchkey, { csrf: CSRF_OPTIONS }));
  app.use(async (req, res) => {
    await writeResponse(res, await fixture.routes(req.session.request, req.session));
  });
  return listenNode(createServer(app));
});

runCsrfScenarios('node:http createHandler({ csrf })', () => {
  const fixture = createCsrfFixture();
  const listener = createHandler(
    fixture.latchkey,
    ({ request, session }) => fixture.routes(request, session),
    { csrf: CSRF_OPTIONS },
  );
  return listenNode(createServer(listener));
});
