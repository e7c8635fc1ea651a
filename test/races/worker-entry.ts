/**
 * Runs inside workerd (bundled and started by workers.test.ts through
 * miniflare, with a Durable Object namespace `DO` bound to
 * `LatchkeySessionsDO`): every race case against `durableObjectStore`, each
 * operation a fetch to the real object, as store-worker.ts drives it. Answers
 * a JSON report.
 */
import {
  durableObjectStore,
  LatchkeySessionsDO,
  type DurableObjectNamespaceLike,
} from '../../adapters/workers/src/index.js';
import { runRaceCases } from './race-cases.js';

export { LatchkeySessionsDO };

interface Env {
  DO: DurableObjectNamespaceLike;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname !== '/races')
      return new Response('not found', { status: 404 });
    return Response.json(
      await runRaceCases(({ clock }) => ({
        store: durableObjectStore(env.DO, { clock, name: 'races' }),
      })),
    );
  },
};
