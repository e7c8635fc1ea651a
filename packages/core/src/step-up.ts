/**
 * Step-up authentication (OWASP ASVS 5.0 V7.5.3, V7.5.1): a sensitive action
 * needs an authentication younger than a maximum age, read from the session's
 * `authTime` (set only by `login` and `reauthenticate`, never by a silent
 * remember-me sign-in). A failed check answers 403 `step_up_required`.
 */

import { type Duration, toMillis } from './duration.js';
import { errorResponse } from './error-response.js';
import { ConfigError } from './errors.js';
import type { AnswerMode } from './negotiation.js';
import type { SessionPolicy } from './policy.js';
import type { Session, SessionData } from './session.js';

/** The verdict of {@link requireFreshAuth}. */
export type FreshAuth =
  | { fresh: true }
  | {
      fresh: false;
      /** A 403 `{"error":"step_up_required"}` to return as is. */
      response: Response;
      /** The session's auth time (`null` for no session or an anonymous one). */
      authTime: number | null;
      /** The maximum age applied, in milliseconds. */
      maxAge: number;
    };

/**
 * The 403 that asks the client to authenticate again: `{"error":"step_up_required"}`
 * for a script, a short text for a page navigation (negotiated from `request`
 * as the expiry answer is; JSON when no request is given).
 *
 * @example
 * if (!check.fresh) return stepUpResponse(request); // 403
 */
export function stepUpResponse(request?: Request, options: { mode?: AnswerMode } = {}): Response {
  return errorResponse(
    request ?? new Request('http://localhost/'),
    { error: 'step_up_required' },
    {
      status: 403,
      text: 'This action needs you to sign in again.',
      mode: request ? options.mode : (options.mode ?? 'json'),
    },
  );
}

/**
 * Whether the session's last authentication is recent enough for a
 * sensitive action: younger than `maxAge`, or else the policy's
 * `freshAuthAge`. A pure function of its inputs; the engine's
 * `latchkey.requireFreshAuth(session, maxAge?)` supplies the policy and clock.
 *
 * @throws {ConfigError} when neither `maxAge` nor `policy.freshAuthAge` is set.
 * @example
 * const check = requireFreshAuth(session, { policy: latchkey.policy, now: Date.now() });
 * if (!check.fresh) return check.response; // 403 step_up_required
 */
export function requireFreshAuth<Data extends SessionData>(
  session: Session<Data> | null | undefined,
  options: { policy: SessionPolicy; now: number; maxAge?: Duration },
): FreshAuth {
  const maxAge =
    options.maxAge === undefined ? options.policy.freshAuthAge : toMillis(options.maxAge);
  if (maxAge === false) {
    throw new ConfigError(
      `requireFreshAuth: no maximum age; pass maxAge or set policy.freshAuthAge (policy ${options.policy.name})`,
    );
  }
  if (!(maxAge >= 0))
    throw new RangeError(
      `requireFreshAuth: maxAge must be a non-negative duration, got ${String(options.maxAge)}`,
    );
  const authTime = session?.userId != null ? session.authTime : null;
  if (authTime !== null && options.now - authTime <= maxAge) return { fresh: true };
  return { fresh: false, response: stepUpResponse(), authTime, maxAge };
}
