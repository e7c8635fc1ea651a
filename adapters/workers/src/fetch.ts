/**
 * `withWorkerSessions`: the core's fetch wrapper shaped for a Workers module
 * (`export default { fetch }`). Secrets and bindings live on `env`, which a
 * Worker only sees inside a request, so the engine is built from `env` on the
 * first request and kept for the isolate's life (one per `env` object), never
 * rebuilt per request: keys are imported once, not on every call.
 */

import {
  assertSessionEngine,
  withSessions,
  type SessionContext,
  type SessionEngine,
  type SessionData,
  type WithSessionsOptions,
} from '@latchkey/core';
import type { ExecutionContextLike } from './bindings.js';

/** What a wrapped Workers handler receives: the request, its lazy session, and the Worker's `env` and `ctx`. */
export interface WorkerSessionContext<
  Env,
  Data extends SessionData = SessionData,
> extends SessionContext<Data> {
  env: Env;
  ctx: ExecutionContextLike;
}

/**
 * Wrap a Workers fetch handler with sessions; `build(env)` makes the engine
 * (`createLatchkey` or `createSealedSessions`) once per isolate and `env`.
 * The client's IP is not assumed: pass `options.device`, e.g. reading
 * `CF-Connecting-IP`, which Cloudflare sets. `options.csrf` refuses
 * cross-site state-changing requests with 403 before `handler` runs.
 *
 * @example
 * export { LatchkeySessionsDO } from '@latchkey/workers';
 * export default {
 *   fetch: withWorkerSessions(
 *     (env: Env) => createLatchkey({ policy: presets.productivity, store: durableObjectStore(env.SESSIONS) }),
 *     async ({ session }) => {
 *       const outcome = await session.load();
 *       return outcome.valid ? Response.json({ user: outcome.session.userId }) : new Response('sign in', { status: 401 });
 *     },
 *   ),
 * };
 */
export function withWorkerSessions<Env extends object, Data extends SessionData = SessionData>(
  build: (env: Env) => SessionEngine<Data>,
  handler: (context: WorkerSessionContext<Env, Data>) => Response | Promise<Response>,
  options: WithSessionsOptions = {},
): (request: Request, env: Env, ctx: ExecutionContextLike) => Promise<Response> {
  if (typeof build !== 'function')
    throw new TypeError(
      `withWorkerSessions(): build must be a function of env returning an engine, e.g. (env) => createLatchkey({ policy: presets.productivity, store: durableObjectStore(env.SESSIONS) })${typeof build === 'object' && build !== null ? '; got an object: wrap it as () => engine' : ''}`,
    );
  if (typeof handler !== 'function')
    throw new TypeError('withWorkerSessions(): handler must be a function');
  const engines = new WeakMap<Env, SessionEngine<Data>>();
  return (request, env, ctx) => {
    let engine = engines.get(env);
    if (!engine) {
      engine = build(env);
      assertSessionEngine(engine, 'withWorkerSessions(): build(env)');
      engines.set(env, engine);
    }
    const wrapped = withSessions(engine, (c) => handler({ ...c, env, ctx }), options);
    return wrapped(request);
  };
}
