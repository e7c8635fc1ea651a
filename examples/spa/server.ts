/**
 * Starts the single-page app: `pnpm example:spa` from the repository root. PORT (default 3000)
 * and TOKEN_SECRET (default: a random key, so tokens end with the process) come from the
 * environment. Tokens live in this process's memory.
 */

import { createApp, startServer } from './app.js';

const running = await startServer(
  await createApp({ ...(process.env.TOKEN_SECRET ? { secret: process.env.TOKEN_SECRET } : {}) }),
  Number(process.env.PORT ?? 3000),
);
console.log(
  `Single-page app example on ${running.url}/  (open http://localhost:${running.port}/ and sign in)`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void running.close());
}
