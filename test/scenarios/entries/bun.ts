// Serve a fixture variant on Bun: `bun run <bundle> <fetch|hono>`; prints `listening <port>`.
import { variantHandler } from './variants.js';

declare const Bun: {
  argv: string[];
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { port: number };
};

const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: variantHandler(Bun.argv[2]) });
console.log(`listening ${server.port}`);
