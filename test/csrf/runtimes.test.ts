// The CSRF scenarios on the core's withSessions (served by @hono/node-server), on @latchkey/deno's
// serveWithSessions in Deno, and on @latchkey/workers' withWorkerSessions in workerd (through miniflare).
import { createAdaptorServer } from '@hono/node-server';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { withSessions } from '@latchkey/core';
import { bundle } from '../scenarios/bundle.js';
import { listenNode, spawnApp } from '../scenarios/serve.js';
import { createCsrfFixture, CSRF_OPTIONS } from './app.js';
import { runCsrfScenarios } from './suite.js';

runCsrfScenarios('withSessions on Node', () => {
  const fixture = createCsrfFixture();
  const fetch = withSessions(
    fixture.latchkey,
    ({ request, session }) => fixture.routes(request, session),
    { csrf: CSRF_OPTIONS },
  );
  return listenNode(createAdaptorServer({ fetch: (request: Request) => fetch(request) }) as Server);
});

runCsrfScenarios('serveWithSessions on Deno', async () =>
  spawnApp(
    fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url)),
    [
      'run',
      '--allow-net=127.0.0.1',
      '--no-prompt',
      '--no-config',
      await bundle(new URL('./entries/deno.ts', import.meta.url)),
    ],
    { env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
  ),
);

runCsrfScenarios('withWorkerSessions on workerd', async () => {
  const script = await readFile(
    await bundle(new URL('./entries/workerd.ts', import.meta.url)),
    'utf8',
  );
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-01-01',
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { baseUrl: url.origin, stop: () => mf.dispose() };
});
