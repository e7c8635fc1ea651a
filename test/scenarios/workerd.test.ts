// The scenario suite in workerd (through miniflare, serving HTTP on loopback): the plain fetch wrapper and
// Hono, and @latchkey/workers' withWorkerSessions on the Durable Object store.
import { readFile } from 'node:fs/promises';
import { Miniflare } from 'miniflare';
import { bundle } from './bundle.js';
import { runScenarios, type RunningApp } from './suite.js';

let entry: Promise<string> | undefined;

/** The fixture `variant` in workerd, listening on a free loopback port. */
async function startOnWorkerd(variant: string): Promise<RunningApp> {
  const script = await readFile(
    await (entry ??= bundle(new URL('./entries/workerd.ts', import.meta.url))),
    'utf8',
  );
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-01-01',
    bindings: { VARIANT: variant },
    durableObjects: { SESSIONS: 'LatchkeySessionsDO' },
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { baseUrl: url.origin, stop: () => mf.dispose() };
}

runScenarios('fetch wrapper on workerd', () => startOnWorkerd('fetch'));
runScenarios('hono on workerd', () => startOnWorkerd('hono'));
runScenarios('withWorkerSessions on workerd, Durable Object store', () =>
  startOnWorkerd('workers'),
);
