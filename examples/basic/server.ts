/**
 * Serves the example on Node with `@hono/node-server`, which turns Node's
 * requests into Web `Request`s and back, so the app stays a plain fetch
 * handler. Run it from the repository root with `pnpm example`; the port comes
 * from `PORT` (default 3000).
 */

import { serve } from '@hono/node-server';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const hostname = '127.0.0.1'; // loopback only: the development cookie below must never face a network

// Plain http://localhost: Secure cookies (and so `__Host-`) are dropped by some clients there,
// so the cookie falls back to `session` without Secure. Never in production, where it is HTTPS.
const app = createApp({ development: true });
console.log(
  'Cookie: development mode (no Secure flag, no __Host- prefix) because this demo is served over plain http://localhost.',
);

const server = serve(
  {
    port,
    hostname,
    // The adapter's job, in one line: hand the app the Request and the client's address.
    fetch: (request, env: { incoming?: { socket?: { remoteAddress?: string } } }) => {
      const ip = env?.incoming?.socket?.remoteAddress;
      return app.fetch(request, ip ? { ip } : {});
    },
  },
  (info) => {
    console.log(
      `Latchkey example on http://localhost:${info.port}/  (policy: ${app.latchkey.policy.name}; sign in with any username)`,
    );
  },
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
