/**
 * @latchkey/node: Latchkey on `node:http` and Express/Connect (mod.ts), and `req.session` and
 * `req.claims` typed on Express's `Request`, the way express-session and passport type theirs.
 * JSR forbids global augmentation, so the JSR entry is mod.ts alone.
 */
import type { AccessClaims } from '@latchkey/core/tokens';
import type { SessionOnRequest } from './express.js';

export * from './mod.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's session (set by `latchkeyMiddleware`, or `expressSession()` after a type selection). */
      session: SessionOnRequest;
      /** The verified access token's claims (set by `requireAccessToken`). */
      claims?: AccessClaims;
    }
  }
}
