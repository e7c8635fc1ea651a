/**
 * `pnpm demo`: the Latchkey playground on http://localhost:3000. `PORT`
 * moves it; `DATA_DIR` (default `.data`) holds the SQLite store and the token
 * key; `REDIS_URL=redis://…` or `DATABASE_URL=postgres://…` switch the store.
 */

import { startDemo } from './demo.js';

const started = performance.now();
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}

try {
  const demo = await startDemo({
    port,
    dataDir: process.env.DATA_DIR || '.data',
    redisUrl: process.env.REDIS_URL || undefined,
    databaseUrl: process.env.DATABASE_URL || undefined,
  });
  console.log(
    `Latchkey playground on ${demo.origin}/  (store: ${demo.storeLabel}; started in ${Math.round(performance.now() - started)} ms)\n` +
      'Sign in as alice / "correct horse battery staple" or bob / "hunter2hunter2".\n' +
      'Cookies are in development mode (no Secure flag, no __Host- prefix) because the demo is served over plain http://localhost.',
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void demo.close().finally(() => process.exit(0));
    });
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE')
    console.error(`Port ${port} is in use: start with PORT=<another port> pnpm demo`);
  else console.error(`The demo could not start: ${(error as Error).message}`);
  process.exit(1);
}
