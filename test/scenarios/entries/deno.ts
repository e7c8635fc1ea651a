// Serve a fixture variant on Deno: `deno run --allow-net --unstable-kv <bundle> <fetch|hono|serve>`; prints
// `listening <port>`. `serve` is @latchkey/deno's serveWithSessions on a real (in-memory) Deno KV store.
import { denoKvStore, serveWithSessions, type DenoKvLike } from '@latchkey/deno';
import { createFixture } from '../app.js';
import { variantHandler } from './variants.js';

declare const Deno: {
  args: string[];
  openKv(path: string): Promise<DenoKvLike>;
  serve(
    options: { port: number; hostname: string; onListen(addr: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
};

const listen = {
  port: 0,
  hostname: '127.0.0.1',
  onListen: ({ port }: { port: number }) => console.log(`listening ${port}`),
};

if (Deno.args[0] === 'serve') {
  const kv = await Deno.openKv(':memory:');
  const fixture = createFixture((clock) => denoKvStore(kv, { clock }));
  serveWithSessions(
    fixture.latchkey,
    async ({ request, session }) =>
      (await fixture.control(request)) ?? fixture.routes(request, session),
    listen,
  );
} else {
  Deno.serve(listen, variantHandler(Deno.args[0]));
}
