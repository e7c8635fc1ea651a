/**
 * What loading a request yields: the session, or a typed reason it has none.
 * Expiry is data: a handler switches on `reason` instead of parsing errors.
 */

import type { ExpiryKind } from './decide.js';
import type { Session, SessionData } from './session.js';

/** Why a request carries no valid session. */
export type InvalidReason =
  /** No session cookie at all. */
  | 'missing'
  /** A cookie that is not a Latchkey session ID (wrong length or alphabet): never looked up. */
  | 'malformed'
  /** A well-formed ID the store does not know: never issued, logged out, or already swept after expiry. */
  | 'unknown'
  /** Unused for longer than the idle timeout (`expired-idle`), or past the absolute lifetime whatever its use (`expired-absolute`). */
  | `expired-${ExpiryKind}`
  /** Ended by "log out everywhere", an administrator, or a session limit. */
  | 'revoked';

/**
 * @example
 * const outcome = await rs.load();
 * if (!outcome.valid) return expiryResponse(request, outcome, { loginPath: '/login' });
 */
export type LoadOutcome<Data extends SessionData = SessionData> =
  | {
      valid: true;
      session: Session<Data>;
      /** `'remember-me'` when the session had gone and was re-created silently from a remembered device (not a fresh authentication); absent for a live session. */
      via?: 'remember-me';
    }
  | { valid: false; reason: InvalidReason; at?: number };
