// The scenario suite on Deno (Deno.serve): the plain fetch wrapper and Hono.
import { startOnDeno } from './runtimes.js';
import { runScenarios } from './suite.js';

runScenarios('fetch wrapper on deno', () => startOnDeno('fetch'));
runScenarios('hono on deno', () => startOnDeno('hono'));
