/**
 * @latchkey/core/cookie: the RFC 6265bis cookie serializer and parser the
 * engine uses, for apps and adapters that set cookies of their own.
 */
export {
  serializeCookie,
  deletionCookie,
  clampMaxAge,
  MAX_COOKIE_AGE_SECONDS,
  MAX_COOKIE_SIZE,
  type CookieAttributes,
} from './serialize.js';
export { parseCookieHeader, getCookie, type CookieParseOptions } from './parse.js';
export {
  resolveSessionCookie,
  type SessionCookieOptions,
  type ResolvedCookie,
} from './session-cookie.js';
