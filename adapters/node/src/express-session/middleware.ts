/**
 * `expressSession(options)`: express-session's API on Latchkey, for apps and
 * passport setups written against express-session. The session is loaded
 * before the route runs, so `req.session.views` reads synchronously; the
 * changes are written key by key when the response ends.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLatchkey, csrfGuard, type Latchkey } from '@latchkey/core';
import { resolveSessionCookie } from '@latchkey/core/cookie';
import { admitHeaders } from '../bridge.js';
import { lazyDeviceFacts } from '../client.js';
import { answerFailure, holdUntilCommitted } from '../hold.js';
import { readExpressSessionOptions, type ExpressSessionOptions } from './options.js';
import { SessionLink } from './session-link.js';
import type { Next } from '../connect.js';

/** The drop-in middleware; `latchkey` is the engine it built (log out everywhere, list sessions). */
export interface ExpressSessionMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: Next): void;
  readonly latchkey: Latchkey;
}

/**
 * express-session's middleware, on Latchkey's engine and policies.
 *
 * @example
 * const sessions = expressSession({
 *   latchkey: { policy: presets.productivity, store: new MemoryStore() },
 *   name: 'sid',
 *   cookie: { sameSite: 'lax' },
 * });
 * app.use(sessions);
 * app.use(passport.session());
 * app.get('/', (req, res) => res.json({ views: (req.session.views = (req.session.views ?? 0) + 1) }));
 * // log out everywhere: await sessions.latchkey.revokeUser(user.id);
 */
export function expressSession(options: ExpressSessionOptions): ExpressSessionMiddleware {
  const settings = readExpressSessionOptions(options);
  const engine = createLatchkey(settings.engineOptions);
  // The same cookie the engine resolved (name, attributes), for `req.session.cookie` and the Max-Age cap.
  const cookie = resolveSessionCookie(
    { ...settings.engineOptions.cookie, warn: () => {} },
    { persistent: !settings.policy.sessionOnlyCookie },
  );
  const csrf = options.csrf === undefined ? null : csrfGuard(options.csrf);
  const middleware = (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const request = admitHeaders(req, res, options.trustProxy, csrf);
    if (!request) return;
    const facts = lazyDeviceFacts(req, options);
    const open = () => engine.forRequest(request, facts);
    const rs = open();
    // Loaded before the route, as express-session does, so property reads need no await.
    rs.load().then(
      () => {
        const link = new SessionLink(engine, open, rs, settings, cookie, req, res, next);
        holdUntilCommitted(res, link);
        next();
      },
      (error: unknown) => {
        if (!answerFailure(res, request, error)) next(error);
      },
    );
  };
  return Object.assign(middleware, { latchkey: engine });
}
