// The bearer scenarios (test/bearer) on @latchkey/node's Express requireAccessToken().
import express from 'express';
import { createServer } from 'node:http';
import { runBearerScenarios } from '../../../test/bearer/suite.js';
import { listenNode } from '../../../test/scenarios/serve.js';
import { requireAccessToken } from '../src/index.js';

runBearerScenarios('express requireAccessToken()', ({ tokens }) => {
  const app = express();
  app.get('/api/me', requireAccessToken(tokens), (req, res) => {
    // res.locals carries the same claims, for view engines.
    res.json({ user: req.claims!.sub, role: res.locals.claims.role });
  });
  return listenNode(createServer(app));
});
