// The adapter scenario suite on @latchkey/node's Express middleware (here, where express resolves).
import { createServer } from 'node:http';
import { listenNode } from '../../../test/scenarios/serve.js';
import { runScenarios } from '../../../test/scenarios/suite.js';
import { createExpressApp } from './express-app.js';

runScenarios('express middleware on node', () => listenNode(createServer(createExpressApp())));
