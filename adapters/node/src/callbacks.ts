/**
 * express-session's callback methods on a Latchkey session, for code written
 * against express-session (Passport calls `regenerate(cb)` and `save(cb)`):
 * each answers through its callback, never with an unhandled rejection.
 */

import type { ServerResponse } from 'node:http';
import { ConfigError, type RequestSession } from '@latchkey/core';
import { commitHeaders } from './hold.js';

type Callback = (error?: unknown) => void;

/** express-session's callback methods, as far as they map onto a Latchkey session. */
export interface SessionCallbacks {
  /** express-session's gives a new, empty session whose properties are its data, which has no Latchkey equivalent: this calls back with an error naming the fix (see the README on Passport). */
  regenerate(callback: Callback): void;
  /** Write the session now (store, then the response's Set-Cookie), then call back. */
  save(callback?: Callback): void;
  /** Log out (`logout()`), then call back. */
  destroy(callback?: Callback): void;
}

const REGENERATE_FIX =
  "req.session.regenerate(callback) is express-session's API (Passport's req.login and req.logout call it); @latchkey/node's req.session is a Latchkey session: sign in with `await req.session.login(user.id)`, which issues a new session ID every time (with Passport, authenticate with { session: false } and then call it), and sign out with `await req.session.logout()`; or keep passport's session login unchanged on the express-session drop-in, expressSession() from @latchkey/node";

/**
 * Add the callback methods; a callback that throws reaches Express's error handlers through `next`.
 *
 * @example
 * req.session = withCallbacks(engine.forRequest(request), res, next);
 */
export function withCallbacks<S extends RequestSession<any>>(
  session: S,
  res: ServerResponse,
  next: (error: unknown) => void,
): S & SessionCallbacks {
  const regenerate = session.regenerate.bind(session);
  const settle = (work: () => Promise<unknown>, callback?: Callback): void => {
    work()
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      )
      .catch(next);
  };
  return Object.assign(session, {
    regenerate(this: void, arg?: unknown) {
      if (typeof arg !== 'function') return regenerate(arg as { clean?: boolean } | undefined);
      settle(() => Promise.reject(new ConfigError(REGENERATE_FIX)), arg as Callback);
    },
    save: (callback?: Callback) =>
      settle(() => (res.headersSent ? session.flush() : commitHeaders(res, session)), callback),
    destroy: (callback?: Callback) => settle(() => session.logout(), callback),
  }) as S & SessionCallbacks;
}
