// @latchkey/node's createHandler on a plain node:http server.
import { createServer } from 'node:http';
import { createHandler, toRequest, writeResponse } from '../../adapters/node/src/index.js';
import { createFixture } from './app.js';
import { listenNode } from './serve.js';
import { runScenarios } from './suite.js';

runScenarios('node:http handler', () => {
  const app = createFixture();
  const handler = createHandler(app.latchkey, ({ request, session }) =>
    app.routes(request, session),
  );
  return listenNode(
    createServer(async (req, res) => {
      // The fixture's test-only control routes sit in front of the library's handler.
      const control = req.url?.startsWith('/__') ? await app.control(toRequest(req)) : null;
      if (control) await writeResponse(res, control);
      else handler(req, res);
    }),
  );
});
