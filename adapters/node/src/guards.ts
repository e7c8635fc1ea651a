/**
 * Route guards for Express/Connect, as `@latchkey/hono` has them: a signed-in session, and a
 * recent enough authentication for sensitive actions (step-up, ASVS V7.5.3). The answers are the
 * core's (`expiryResponse`, `stepUpResponse`); a store failure goes to `next(error)`, where
 * `latchkeyErrorHandler()` answers 503.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ConfigError,
  expiryResponse,
  stepUpResponse,
  type Duration,
  type ExpiryResponseOptions,
  type FreshAuthOptions,
  type RequestSession,
  type SessionEngine,
} from '@latchkey/core';
import { writeResponse } from './bridge.js';
import type { ConnectMiddleware, Next } from './connect.js';

/** The engine each request's session came from, set by `latchkeyMiddleware`. */
const engines = new WeakMap<IncomingMessage, SessionEngine<any>>();

/**
 * Remember which engine made `req.session`, for the guards.
 *
 * @example
 * attachEngine(req, engine); // in latchkeyMiddleware, beside req.session
 */
export function attachEngine(req: IncomingMessage, engine: SessionEngine<any>): void {
  engines.set(req, engine);
}

/** The request's Latchkey session, or an error naming the fix. */
function attached(req: IncomingMessage, guard: string): RequestSession | ConfigError {
  const session = (req as IncomingMessage & { session?: RequestSession }).session;
  if (session && typeof session.load === 'function' && engines.has(req)) return session;
  return new ConfigError(
    session && typeof session.load !== 'function'
      ? `${guard}: req.session is the expressSession() drop-in's; guard its routes as with express-session (passport's req.isAuthenticated()), or use latchkeyMiddleware(engine)`
      : `${guard}: no Latchkey session on this request; register the middleware before the guard: app.use(latchkeyMiddleware(engine))`,
  );
}

function answer(res: ServerResponse, response: Response): void {
  writeResponse(res, response).catch(() => res.destroy());
}

/**
 * Guard: continue only with a signed-in session (an anonymous one, from `start()`, does not
 * pass); otherwise the core's graceful expiry response: 401 JSON with the reason for `fetch()`,
 * 303 to the login page with `returnTo` for a page. Register after `latchkeyMiddleware(engine)`.
 *
 * @example
 * app.get('/account', requireSession({ loginPath: '/sign-in' }), (req, res) => {
 *   res.render('account', { user: req.session.current!.userId });
 * });
 */
export function requireSession(options: ExpiryResponseOptions = {}): ConnectMiddleware {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const session = attached(req, 'requireSession()');
    if (session instanceof ConfigError) return next(session);
    session.load().then((outcome) => {
      if (!outcome.valid) return answer(res, expiryResponse(session.request, outcome, options));
      if (outcome.session.userId === null)
        return answer(res, expiryResponse(session.request, { reason: 'missing' }, options));
      next();
    }, next);
  };
}

/**
 * Guard for sensitive actions: a signed-in session that authenticated at most `maxAge` ago
 * (default: the policy's `freshAuthAge`), by one of `methods` and with user verification when
 * asked; otherwise 403 `{"error":"step_up_required","max_age":…,"methods":[…]}` (a short text
 * for a page navigation). A bare duration is `maxAge` alone.
 *
 * @example
 * app.post('/password', requireFreshAuth('5m'), changePassword);
 * app.post('/transfer', requireFreshAuth({ methods: ['passkey'], maxAge: '5m' }), transfer);
 */
export function requireFreshAuth(check?: Duration | FreshAuthOptions): ConnectMiddleware {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const session = attached(req, 'requireFreshAuth()');
    if (session instanceof ConfigError) return next(session);
    const engine = engines.get(req)!;
    session.load().then((outcome) => {
      if (!outcome.valid) return answer(res, expiryResponse(session.request, outcome));
      if (outcome.session.userId === null)
        return answer(res, expiryResponse(session.request, { reason: 'missing' }));
      const verdict = engine.requireFreshAuth(outcome.session, check);
      if (!verdict.fresh)
        return answer(res, stepUpResponse(session.request, { requirement: verdict.requirement }));
      next();
    }, next);
  };
}
