/**
 * Express/Connect middleware: `req.session` is the request's lazy
 * `RequestSession` (server-side or sealed), committed before anything reaches
 * the client. express-session's callback methods that Passport and similar
 * code call (`save(cb)`, `destroy(cb)`, `regenerate(cb)`) answer through the
 * callback, never with an unhandled rejection.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  assertSessionEngine,
  csrfGuard,
  type CsrfOptions,
  type RequestSession,
  type SessionData,
  type SessionEngine,
} from '@latchkey/core';
import type { SealedRequestSession } from '@latchkey/core/sealed';
import { admitHeaders } from './bridge.js';
import { lazyDeviceFacts } from './client.js';
import { withCallbacks, type SessionCallbacks } from './callbacks.js';
import { answerFailure, holdUntilCommitted } from './hold.js';
import type { ExpressSessionObject } from './express-session/session.js';
import type { ConnectErrorMiddleware, ConnectMiddleware, Next } from './connect.js';
import { attachEngine } from './guards.js';

/** `req.session` under {@link latchkeyMiddleware}. */
export type ExpressSession<Data extends SessionData = SessionData> = RequestSession<Data> &
  SessionCallbacks;

/** `req.session` under {@link latchkeyMiddleware} on `createSealedSessions(...)`: `logout({ everywhere })` too. */
export type SealedExpressSession<Data extends SessionData = SessionData> =
  SealedRequestSession<Data> & SessionCallbacks;

/**
 * Which `req.session` your app's Express `Request` has: `latchkeyMiddleware`'s on
 * `createLatchkey(...)` by default. An app on sealed sessions says `sealed: true` once (for
 * `logout({ everywhere: true })`); an app on the `expressSession()` drop-in says
 * `expressSession: true`, and `req.session` is typed as express-session's.
 *
 * @example
 * declare module '@latchkey/node' {
 *   interface SessionMiddlewareMode { expressSession: true }
 *   interface ExpressSessionData { views: number }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionMiddlewareMode {}

/** `req.session`'s type, as {@link SessionMiddlewareMode} selects it. */
export type SessionOnRequest = SessionMiddlewareMode extends { expressSession: true }
  ? ExpressSessionObject
  : SessionMiddlewareMode extends { sealed: true }
    ? SealedExpressSession
    : ExpressSession;

/** Options for {@link latchkeyMiddleware}. */
export interface LatchkeyMiddlewareOptions {
  /** Trust forwarded headers for the URL and client IP (Express's `trust proxy`). Default `false`. */
  trustProxy?: boolean;
  /**
   * Refuse cross-site state-changing requests with 403 `csrf_rejected` before
   * any route runs (the core's `checkCsrf`); `true` for the defaults. Off by default.
   */
  csrf?: CsrfOptions | true;
}

/**
 * The middleware; `engine` is `createLatchkey(...)` or `createSealedSessions(...)`.
 *
 * With `csrf`, a cross-site POST is answered 403 before any route runs.
 *
 * @example
 * app.use(latchkeyMiddleware(latchkey, { csrf: true }));
 * app.get('/me', async (req, res) => {
 *   const outcome = await req.session.load();
 *   res.json(outcome.valid ? { user: outcome.session.userId } : null);
 * });
 * app.use(latchkeyErrorHandler()); // a store failure answers 503, a lost write race 409
 */
export function latchkeyMiddleware<Data extends SessionData = SessionData>(
  engine: SessionEngine<Data>,
  options: LatchkeyMiddlewareOptions = {},
): ConnectMiddleware {
  assertSessionEngine(engine, 'latchkeyMiddleware()');
  const csrf = options.csrf === undefined ? null : csrfGuard(options.csrf);
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const request = admitHeaders(req, res, options.trustProxy, csrf);
    if (!request) return;
    const facts = lazyDeviceFacts(req, options);
    const session = withCallbacks(engine.forRequest(request, facts), res, next);
    (req as IncomingMessage & { session: ExpressSession<Data> }).session = session;
    attachEngine(req, engine);
    holdUntilCommitted(res, session);
    next();
  };
}

/**
 * Error middleware that answers a store failure with 503 and a lost write
 * race with 409 (never a 500, never a sign-in redirect). Register it after your routes.
 *
 * @example
 * app.use(latchkeyErrorHandler());
 */
export function latchkeyErrorHandler(): ConnectErrorMiddleware {
  return (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const session = (req as IncomingMessage & { session?: RequestSession }).session;
    if (!session || !answerFailure(res, session.request, error)) next(error);
  };
}
