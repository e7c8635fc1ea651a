/**
 * Serves the example on `Bun.serve`: `pnpm example:bun` from the repository root (`bun run
 * examples/bun/server.ts`; Bun reads the TypeScript and this folder's tsconfig paths itself).
 * PORT (default 3000) comes from the environment. Sessions live in this process's memory.
 */

import { MemoryStore } from '@latchkey/core';
import { createApp } from './app.js';

// The part of Bun's global this file uses (the project does not install bun-types).
declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { port: number; stop(): void };
};

const server = Bun.serve({
  port: Number(Bun.env.PORT ?? 3000),
  hostname: '127.0.0.1', // loopback only: the development cookie must never face a network
  fetch: createApp({ store: new MemoryStore() }),
});
console.log(`listening ${server.port}: Bun example on http://127.0.0.1:${server.port}/`);
