// Serve a fixture variant on Deno: `deno run --allow-net <bundle> <fetch|hono>`; prints `listening <port>`.
import { variantHandler } from './variants.js';

declare const Deno: {
  args: string[];
  serve(
    options: { port: number; hostname: string; onListen(addr: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
};

Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening ${port}`) },
  variantHandler(Deno.args[0]),
);
