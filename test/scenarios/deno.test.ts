// The scenario suite on Deno: the plain fetch wrapper and Hono on Deno.serve, and @latchkey/deno's serveWithSessions on Deno KV.
import { startOnDeno } from './runtimes.js';
import { runScenarios } from './suite.js';

runScenarios('fetch wrapper on deno', () => startOnDeno('fetch'));
runScenarios('hono on deno', () => startOnDeno('hono'));
runScenarios('serveWithSessions on deno, Deno KV store', () => startOnDeno('serve'));
