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
  type RequestSession,
  type SessionData,
  type SessionEngine,
} from '@latchkey/core';
import { refuseUnsupportedMethod, toRequest } from './bridge.js';
import { deviceFacts } from './client.js';
import { withCallbacks, type SessionCallbacks } from './callbacks.js';
import { answerFailure, holdUntilCommitted } from './hold.js';

type Next = (error?: unknown) => void;

/** `req.session` under {@link latchkeyMiddleware}. */
export type ExpressSession<Data extends SessionData = SessionData> = RequestSession<Data> &
  SessionCallbacks;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's Latchkey session (set by `latchkeyMiddleware`). */
      session: ExpressSession;
    }
  }
}

/** Options for {@link latchkeyMiddleware}. */
export interface LatchkeyMiddlewareOptions {
  /** Trust forwarded headers for the URL and client IP (Express's `trust proxy`). Default `false`. */
  trustProxy?: boolean;
}

/**
 * The middleware; `engine` is `createLatchkey(...)` or `createSealedSessions(...)`.
 *
 * @example
 * app.use(latchkeyMiddleware(latchkey));
 * app.get('/me', async (req, res) => {
 *   const outcome = await req.session.load();
 *   res.json(outcome.valid ? { user: outcome.session.userId } : null);
 * });
 * app.use(latchkeyErrorHandler()); // a store failure answers 503, a lost write race 409
 */
export function latchkeyMiddleware<Data extends SessionData = SessionData>(
  engine: SessionEngine<Data>,
  options: LatchkeyMiddlewareOptions = {},
) {
  assertSessionEngine(engine, 'latchkeyMiddleware()');
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    if (refuseUnsupportedMethod(req, res)) return;
    // Headers only: the body stays with the framework's own parsers.
    const request = toRequest(req, { trustProxy: options.trustProxy, body: false });
    const session = withCallbacks(engine.forRequest(request, deviceFacts(req, options)), res, next);
    (req as IncomingMessage & { session: ExpressSession<Data> }).session = session;
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
export function latchkeyErrorHandler() {
  return (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const session = (req as IncomingMessage & { session?: RequestSession }).session;
    if (!session || !answerFailure(res, session.request, error)) next(error);
  };
}
