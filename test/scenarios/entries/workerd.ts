// Serve a fixture variant in workerd: miniflare runs this bundle with a text binding VARIANT (`fetch`, `hono`
// or `workers`) and a Durable Object binding SESSIONS. `workers` is @latchkey/workers' withWorkerSessions on
// the Durable Object store. The fixture is made on the first request, not at module scope (workerd forbids
// random values and I/O there), and then lives as long as the isolate, as a Worker's module state does.
import {
  durableObjectStore,
  LatchkeySessionsDO,
  withWorkerSessions,
  type DurableObjectNamespaceLike,
} from '@latchkey/workers';
import { createFixture, type Fixture } from '../app.js';
import { variantHandler } from './variants.js';

export { LatchkeySessionsDO };

interface Env {
  VARIANT: string;
  SESSIONS: DurableObjectNamespaceLike;
}

let handler: ((request: Request) => Response | Promise<Response>) | undefined;
let fixture: Fixture | undefined;
const onWorkers = withWorkerSessions(
  (env: Env) =>
    (fixture ??= createFixture((clock) => durableObjectStore(env.SESSIONS, { clock }))).latchkey,
  async ({ request, session }) =>
    (await fixture!.control(request)) ?? fixture!.routes(request, session),
);

export default {
  fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }) {
    if (env.VARIANT === 'workers') return onWorkers(request, env, ctx);
    handler ??= variantHandler(env.VARIANT);
    return handler(request);
  },
};
