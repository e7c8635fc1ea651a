/**
 * Runs inside workerd (bundled and started by workers-app.test.ts through
 * miniflare): an app on `withWorkerSessions`, its engine built from `env`
 * (Durable Object binding, text bindings standing in for secrets), on the
 * Durable Object store at /do/* and on the Workers KV store at /kv/*.
 */
import { createLatchkey, presets, StoreCapabilityError } from '@latchkey/core';
import {
  durableObjectStore,
  LatchkeySessionsDO,
  withWorkerSessions,
  workersKvStore,
  type DurableObjectNamespaceLike,
  type KvNamespaceLike,
} from '../../../adapters/workers/src/index.js';

export { LatchkeySessionsDO };

interface Env {
  SESSIONS: DurableObjectNamespaceLike;
  KV: KvNamespaceLike;
  KEY_PREFIX: string;
  SESSIONS_NAME: string;
}

const builds = { do: 0, kv: 0 };
const cookie = { development: true, warn: () => {} }; // the test speaks plain HTTP

const routes = (prefix: string) =>
  withWorkerSessions<Env>(
    (env) => {
      builds[prefix as 'do' | 'kv']++;
      const store =
        prefix === 'do'
          ? durableObjectStore(env.SESSIONS, { name: env.SESSIONS_NAME })
          : workersKvStore(env.KV);
      // KV cannot rotate remember-me tokens atomically (no compareAndSet), so the KV app uses a preset without them:
      // the engine refuses presets.productivity on KV with StoreCapabilityError rather than rotate unsafely.
      return createLatchkey({
        policy: prefix === 'do' ? presets.productivity : presets.banking,
        store,
        cookie,
        keyPrefix: env.KEY_PREFIX,
      });
    },
    async ({ request, session }) => {
      const path = new URL(request.url).pathname.slice(prefix.length + 1);
      if (path === '/login') return Response.json({ user: (await session.login('ada')).userId });
      if (path === '/logout') return (await session.logout(), new Response(null, { status: 204 }));
      if (path === '/revoke-others') {
        try {
          return Response.json({ ended: await session.revokeOthers() });
        } catch (error) {
          if (error instanceof StoreCapabilityError)
            return Response.json({ error: error.code }, { status: 501 });
          throw error;
        }
      }
      const outcome = await session.load();
      return outcome.valid
        ? Response.json({ user: outcome.session.userId })
        : Response.json({ reason: outcome.reason }, { status: 401 });
    },
  );

const onDo = routes('do');
const onKv = routes('kv');

export default {
  fetch(
    request: Request,
    env: Env,
    ctx: { waitUntil(p: Promise<unknown>): void },
  ): Promise<Response> | Response {
    const path = new URL(request.url).pathname;
    if (path === '/__builds') return Response.json(builds);
    if (path.startsWith('/do/')) return onDo(request, env, ctx);
    if (path.startsWith('/kv/')) return onKv(request, env, ctx);
    return new Response('not found', { status: 404 });
  },
};
