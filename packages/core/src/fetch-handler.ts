/**
 * The universal adapter: wrap a fetch handler (`(request) => Promise<Response>`)
 * so it sees a lazy {@link RequestSession} and its response leaves with the
 * session committed. Bun, Deno and Workers serve fetch handlers directly;
 * the framework adapters reuse the same pieces.
 *
 * Failure rules, the same in every adapter: a store failure (`StoreError`)
 * answers 503 (fail closed: never a 500, never a sign-in redirect, since the
 * user is not logged out), and a hostile cookie never gets past `load()`,
 * which reports it as an invalid session rather than throwing.
 */

import type { Latchkey } from './engine.js';
import { StoreError } from './errors.js';
import { storeUnavailableResponse } from './expiry-response.js';
import type { DeviceFacts } from './record.js';
import type { RequestSession } from './contract.js';
import type { SessionData } from './session.js';

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

/** Options for {@link withSessions}. */
export interface WithSessionsOptions {
  /**
   * Device facts for a request, typically the client IP from a header your
   * proxy sets. No header is trusted by default: a client can send any
   * `X-Forwarded-For` it likes.
   */
  device?: (request: Request) => DeviceFacts;
}

/** Whether `error` is a store failure, by class or by its stable code (a second copy of the library, say). */
export function isStoreError(error: unknown): boolean {
  return (
    error instanceof StoreError ||
    (error instanceof Error && (error as { code?: unknown }).code === StoreError.code)
  );
}

/**
 * Wrap a fetch handler with sessions.
 *
 * @example
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 * export default { fetch: withSessions(latchkey, async ({ request, session }) => {
 *   const outcome = await session.load();
 *   if (!outcome.valid) return expiryResponse(request, outcome);
 *   return Response.json({ user: outcome.session.userId });
 * }) };
 */
export function withSessions<Data extends SessionData = SessionData>(
  latchkey: Latchkey<Data>,
  handler: SessionHandler<Data>,
  options: WithSessionsOptions = {},
): (request: Request) => Promise<Response> {
  if (typeof handler !== 'function')
    throw new TypeError('withSessions: handler must be a function');
  const device = options.device;
  return async (request: Request): Promise<Response> => {
    const session = latchkey.forRequest(request, device ? device(request) : undefined);
    try {
      const response = await handler({ request, session });
      return await session.commit(response);
    } catch (error) {
      if (isStoreError(error)) return storeUnavailableResponse(request);
      throw error;
    }
  };
}
