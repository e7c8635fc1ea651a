/**
 * @latchkey/hono: Latchkey sessions as Hono middleware. The session sits on
 * `c.var.session` (typed through Hono's `ContextVariableMap`, so
 * `c.get('session')` needs no generics), is loaded only when asked for, and is
 * committed after the handler. Guards answer with the core's responses.
 */

import {
  expiryResponse,
  isStoreError,
  storeUnavailableResponse,
  type DeviceFacts,
  type Duration,
  type ExpiryResponseOptions,
  type Latchkey,
  type RequestSession,
} from '@latchkey/core';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's Latchkey session (set by the `latchkey()` middleware). */
    session: RequestSession;
    /** The engine, for the guards. */
    latchkey: Latchkey;
  }
}

/** Options for {@link latchkey}. */
export interface LatchkeyMiddlewareOptions {
  /** Device facts (the client IP, say) for a request. Nothing is trusted by default. */
  device?: (c: Context) => DeviceFacts;
}

/**
 * The middleware: one `RequestSession` per request on `c.var.session`,
 * committed (store writes, then Set-Cookie) after `await next()`. A store
 * failure anywhere in the request becomes a 503.
 *
 * @example
 * const app = new Hono();
 * app.use(latchkey(engine));
 * app.get('/me', requireSession(), (c) => c.json({ user: c.var.session.current?.userId }));
 */
export function latchkey(
  engine: Latchkey<any>,
  options: LatchkeyMiddlewareOptions = {},
): MiddlewareHandler {
  return async (c, next) => {
    const session = engine.forRequest(c.req.raw, options.device?.(c)) as RequestSession;
    c.set('session', session);
    c.set('latchkey', engine);
    await next();
    let response: Response;
    try {
      if (isStoreError(c.error)) throw c.error;
      // The core's commit returns a copy with mutable headers when it adds any (so a proxied `fetch()` response is fine).
      response = await session.commit(c.res);
    } catch (error) {
      if (!isStoreError(error)) throw error;
      response = storeUnavailableResponse(c.req.raw);
    }
    if (response === c.res) return;
    // Clear first: Hono's `res` setter merges the old response's headers into the new one, which would put back the old Set-Cookie list.
    c.res = undefined;
    c.res = response;
  };
}

/**
 * Guard: continue only with a valid session; otherwise answer with the core's
 * graceful expiry response (401 JSON with the reason, or 303 to the login page).
 *
 * @example
 * app.get('/inbox', requireSession({ loginPath: '/signin' }), handler);
 */
export function requireSession(options: ExpiryResponseOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const outcome = await c.var.session.load();
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome, options);
    await next();
  };
}

/**
 * Guard for sensitive actions (step-up, ASVS V7.5.3): a valid session whose
 * last authentication is at most `maxAge` old (default: the policy's
 * `freshAuthAge`); otherwise the core's 403 `{"error":"step_up_required"}`.
 *
 * @example
 * app.post('/password', requireFreshAuth(), changePassword);
 */
export function requireFreshAuth(maxAge?: Duration): MiddlewareHandler {
  return async (c, next) => {
    const outcome = await c.var.session.load();
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome);
    const check = c.var.latchkey.requireFreshAuth(outcome.session, maxAge);
    if (!check.fresh) return check.response;
    await next();
  };
}
