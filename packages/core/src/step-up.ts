/**
 * Step-up authentication (OWASP ASVS 5.0 V7.5.3; V7.5.1 for changes to
 * authentication attributes): a sensitive action needs an authentication
 * more recent than a maximum age, whatever the session's own age. The check
 * reads the session's `authTime`, which only a real authentication sets:
 * `login` and `reauthenticate` refresh it, a silent remember-me
 * re-authentication carries the original one, so a remembered device is
 * asked for its password again before anything sensitive.
 *
 * When the check fails the response is 403 `{"error":"step_up_required"}`
 * with `Cache-Control: no-store`; the client re-authenticates (password,
 * passkey) and the app calls `rs.reauthenticate()`, which issues a new
 * session ID (ASVS V7.2.4: a new token on re-authentication) keeping the
 * data and the lifetime, with the auth time set to now.
 */

import { type Duration, toMillis } from './duration.js';
import { ConfigError } from './errors.js';
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

/** The response that asks the client to authenticate again (the same as `fetch-handler`'s). */
export function stepUpResponse(): Response {
  return new Response(JSON.stringify({ error: 'step_up_required' }), {
    status: 403,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
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
