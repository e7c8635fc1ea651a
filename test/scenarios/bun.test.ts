// The scenario suite on Bun (Bun.serve): the plain fetch wrapper and Hono.
import { startOnBun } from './runtimes.js';
import { runScenarios } from './suite.js';

runScenarios('fetch wrapper on bun', () => startOnBun('fetch'));
runScenarios('hono on bun', () => startOnBun('hono'));
