// Serve a fixture variant in workerd: miniflare runs this bundle with a text binding VARIANT (`fetch` or
// `hono`). The fixture is made on the first request, not at module scope (workerd forbids random values
// and I/O there), and then lives as long as the isolate, as a Worker's module state does.
import { variantHandler } from './variants.js';

let handler: ((request: Request) => Response | Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: { VARIANT: string }): Response | Promise<Response> {
    handler ??= variantHandler(env.VARIANT);
    return handler(request);
  },
};
