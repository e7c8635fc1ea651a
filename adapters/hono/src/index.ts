/**
 * @latchkey/hono: Latchkey sessions as Hono middleware (middleware.ts), and `c.var.session`
 * typed for every app through Hono's `ContextVariableMap`, so call sites need no generics.
 * JSR forbids such module augmentation, so the JSR entry is middleware.ts alone: there, type
 * the app as `new Hono<SessionEnv>()`.
 */
import type { RequestSession, SessionData, SessionEngine } from '@latchkey/core';
import type { AccessClaims } from '@latchkey/core/tokens';

export * from './middleware.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's Latchkey session (set by the `latchkey()` middleware). */
    session: RequestSession<SessionData>;
    /** The engine, for the guards. */
    latchkey: SessionEngine<SessionData>;
    /** The verified access token's claims (set by `requireAccessToken()`). */
    claims: AccessClaims;
  }
}
