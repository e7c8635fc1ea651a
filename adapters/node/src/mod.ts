/**
 * What @latchkey/node exports: a bridge between Node's request/response and the Web's, a
 * request listener around a fetch handler, and the Express middlewares. The JSR entry; the npm
 * entry (index.ts) adds the types of `req.session` and `req.claims` on Express's `Request`.
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
  type SealedExpressSession,
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
export type { ConnectErrorMiddleware, ConnectMiddleware } from './connect.js';
export { requireAccessToken, type RequireAccessTokenOptions } from './bearer.js';
export { dbscEndpoints, requireDeviceBound } from './dbsc.js';
export { requireSession, requireFreshAuth } from './guards.js';
