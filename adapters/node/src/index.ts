/**
 * @latchkey/node: Latchkey on `node:http` and Express/Connect. A bridge
 * between Node's request/response and the Web's, a request listener around a
 * fetch handler, and a middleware exposing `req.session`.
 */
export {
  toRequest,
  writeResponse,
  refuseUnsupportedMethod,
  type ToRequestOptions,
} from './bridge.js';
export { clientIp, deviceFacts } from './client.js';
export { createHandler, type CreateHandlerOptions } from './handler.js';
export {
  latchkeyMiddleware,
  latchkeyErrorHandler,
  type ExpressSession,
  type LatchkeyMiddlewareOptions,
  type SessionMiddlewareMode,
  type SessionOnRequest,
} from './express.js';
export { expressSession, type ExpressSessionMiddleware } from './express-session/middleware.js';
export type {
  ExpressSessionOptions,
  ExpressSessionCookieOptions,
} from './express-session/options.js';
export type {
  DropInSession,
  ExpressSessionData,
  ExpressSessionObject,
  SessionCookieView,
} from './express-session/session.js';
export type { SessionCallbacks } from './callbacks.js';
export { requireAccessToken, type RequireAccessTokenOptions } from './bearer.js';
