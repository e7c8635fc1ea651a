/**
 * The universal adapter: wrap a fetch handler so it sees a lazy
 * {@link RequestSession} and its response leaves with the session committed.
 * The runtime passes what it knows of the connection (the peer IP) as the
 * second argument; store outages and lost write races never answer 500.
 */

import type { RequestSession, SessionEngine } from './contract.js';
import { csrfGuard, type CsrfOptions } from './csrf.js';
import { assertSessionEngine } from './engine-check.js';
import { sessionFailureResponse } from './expiry-response.js';
import type { DeviceFacts } from './record.js';
import type { SessionData } from './session.js';

export { isStoreError } from './expiry-response.js';

/** What a wrapped handler receives. */
export interface SessionContext<Data extends SessionData = SessionData> {
  request: Request;
  /** Lazy: nothing is read from the store until `session.load()`. */
  session: RequestSession<Data>;
}

/** A fetch handler that also receives the request's session. */
export type SessionHandler<Data extends SessionData = SessionData> = (
  context: SessionContext<Data>,
) => Response | Promise<Response>;

/**
 * What {@link withSessions} returns: a fetch handler whose optional second
 * argument is what the runtime knows of the client (hono's `GetConnInfo`
 * idea), e.g. `{ ip: info.remoteAddr.hostname }` from Deno's `serve`.
 */
export type FetchHandler = (request: Request, facts?: DeviceFacts) => Promise<Response>;

/** Options for {@link withSessions}. */
export interface WithSessionsOptions {
  /**
   * Device facts for a request, e.g. the client IP from a header your proxy
   * sets. When given it wins: it receives the runtime's facts (behind a proxy,
   * the proxy's address) and returns what is recorded. No header is trusted
   * by default: a client can send any `X-Forwarded-For` it likes.
   */
  device?: (request: Request, runtime: DeviceFacts) => DeviceFacts;
  /**
   * Refuse cross-site state-changing requests with 403 `csrf_rejected` before
   * the handler runs (see `checkCsrf`); `true` for the defaults. Off by default.
   */
  csrf?: CsrfOptions | true;
}

/**
 * Only the known keys: a runtime's second argument to `fetch` may be something
 * else entirely (Bun's server, a Worker's `env`), and must not become facts.
 */
function knownFacts(facts: unknown): DeviceFacts {
  if (typeof facts !== 'object' || facts === null) return {};
  const { ip, userAgent } = facts as Record<string, unknown>;
  return {
    ...(typeof ip === 'string' ? { ip } : {}),
    ...(typeof userAgent === 'string' ? { userAgent } : {}),
  };
}

/**
 * Wrap a fetch handler with sessions; `engine` is `createLatchkey(...)` or
 * `createSealedSessions(...)`. A `StoreError` answers 503 and a
 * `SessionConflictError` 409, both with `Retry-After` (`sessionFailureResponse`);
 * with `csrf`, a cross-site POST is refused with 403 before the handler runs.
 *
 * @example
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 * const app = withSessions(latchkey, async ({ request, session }) => {
 *   const outcome = await session.load();
 *   if (!outcome.valid) return expiryResponse(request, outcome);
 *   return Response.json({ user: outcome.session.userId });
 * });
 * serve((request, info) => app(request, { ip: info.remoteAddr.hostname })); // Deno's serve
 */
export function withSessions<Data extends SessionData = SessionData>(
  engine: SessionEngine<Data>,
  handler: SessionHandler<Data>,
  options: WithSessionsOptions = {},
): FetchHandler {
  assertSessionEngine(engine, 'withSessions()');
  if (typeof handler !== 'function')
    throw new TypeError('withSessions(): handler must be a function of { request, session }');
  const device = options.device;
  const csrf = options.csrf === undefined ? null : csrfGuard(options.csrf);
  return async (request, facts) => {
    const refused = csrf?.(request);
    if (refused) return refused;
    const runtime = knownFacts(facts);
    const session = engine.forRequest(request, device ? device(request, runtime) : runtime);
    try {
      const response = await handler({ request, session });
      return await session.commit(response);
    } catch (error) {
      const failure = sessionFailureResponse(request, error);
      if (failure) return failure;
      throw error;
    }
  };
}
