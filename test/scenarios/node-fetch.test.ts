// The plain fetch wrapper (core's withSessions) on Node, through the node:http bridge's writeResponse/toRequest.
import { createServer } from 'node:http';
import { toRequest, writeResponse } from '../../adapters/node/src/index.js';
import { createFixture } from './app.js';
import { listenNode } from './serve.js';
import { runScenarios } from './suite.js';

runScenarios('fetch wrapper on node', () => {
  const app = createFixture();
  return listenNode(
    createServer(
      (req, res) => void app.fetch(toRequest(req)).then((response) => writeResponse(res, response)),
    ),
  );
});
