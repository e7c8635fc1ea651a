/**
 * The active policy as a short statement people can read, so an app can
 * publish what OWASP ASVS 5.0 V7.1.1 (timeouts and why) and V7.1.2 (the
 * concurrent-session limit and what happens at it) ask it to document.
 */

import { describeDuration } from './duration.js';
import type { SessionPolicy } from './policy.js';

/** What the document needs besides the policy. */
export interface PolicyDocumentContext {
  sessionLimit?: { max: number; onLimit: 'evict-oldest' | 'refuse' } | undefined;
  cookie?:
    | {
        name: string;
        sessionOnly: boolean;
        secure: boolean;
        sameSite: string;
        /** Default `true`; `false` says page scripts can read the session ID. */
        httpOnly?: boolean;
      }
    | undefined;
  /** Whether the store keeps a per-user index, so sessions can be listed and ended from elsewhere. Default `true`. */
  listable?: boolean;
}

/**
 * Render the policy as plain text, one statement per line.
 *
 * @example
 * describePolicy(definePolicy(presets.banking));
 * // Session policy "banking".
 * // - Idle timeout: 10 minutes without activity ends the session. Why: ...
 */
export function describePolicy(policy: SessionPolicy, context: PolicyDocumentContext = {}): string {
  const why = (key: keyof SessionPolicy['reasons']) =>
    policy.reasons[key] ? ` Why: ${policy.reasons[key]}.` : '';
  const lines = [`Session policy "${policy.name}".`];
  lines.push(
    `- Idle timeout: ${describeDuration(policy.idleTimeout)} without activity ends the session. Activity is any request that uses the session, recorded at most once every ${describeDuration(policy.touchInterval)}, so a session may end up to that much early, never late.${why('idle')}`,
  );
  lines.push(
    `- Absolute timeout: every session ends ${describeDuration(policy.absoluteTimeout)} after sign-in, however active.${why('absolute')}`,
  );
  lines.push(
    policy.renewInterval === false
      ? '- Session ID renewal: the ID changes only at sign-in and on privilege changes.'
      : `- Session ID renewal: a new session ID is issued every ${describeDuration(policy.renewInterval)}, and at sign-in and on privilege changes; after a renewal the previous ID works for ${describeDuration(policy.renewGrace)} so requests already in flight finish.${why('renew')}`,
  );
  lines.push(
    policy.rememberMe === false
      ? `- Remember me: not offered.${why('rememberMe')}`
      : `- Remember me: a trusted device stays signed in for up to ${describeDuration(policy.rememberMe)} through a separate, rotating, revocable token.${why('rememberMe')}`,
  );
  if (policy.freshAuthAge !== false) {
    lines.push(
      `- Re-authentication: sensitive actions require signing in again if the last sign-in was more than ${describeDuration(policy.freshAuthAge)} ago.${why('freshAuth')}`,
    );
  }
  if (policy.accessTokenTtl !== false)
    lines.push(`- Access tokens live ${describeDuration(policy.accessTokenTtl)}.`);
  if (policy.refreshTokenTtl !== false)
    lines.push(
      `- Refresh tokens live ${describeDuration(policy.refreshTokenTtl)} and rotate on every use; reuse of a spent one ends its whole family.`,
    );
  if (policy.deviceBinding !== undefined && policy.deviceBinding !== 'off')
    lines.push(
      `- Device binding (DBSC): browsers that support it bind the session to a key on the device, and a copied session cookie stops working within minutes; ${policy.deviceBinding === 'required' ? 'the most sensitive pages need such a bound session' : 'browsers without it keep an ordinary session'}.`,
    );
  const limit = context.sessionLimit;
  lines.push(
    !limit
      ? context.listable === false
        ? "- Concurrent sessions: no limit per user. This deployment's store keeps no per-user index, so sessions cannot be listed or ended from another device; each ends by sign-out or timeout."
        : '- Concurrent sessions: no limit per user; every session is listed and can be ended from any other.'
      : limit.onLimit === 'evict-oldest'
        ? `- Concurrent sessions: at most ${limit.max} per user; signing in beyond that ends the least recently used session.`
        : `- Concurrent sessions: at most ${limit.max} per user; signing in beyond that is refused until another session ends.`,
  );
  const cookie = context.cookie;
  if (cookie) {
    lines.push(
      `- Cookie: ${cookie.name}, ${cookie.sessionOnly ? 'deleted when the browser closes' : 'kept until the absolute timeout'}, ` +
        `${cookie.httpOnly === false ? 'readable by scripts on the page (not HttpOnly)' : 'HttpOnly'}` +
        `${cookie.secure ? ', Secure' : ', sent over plain HTTP too (not Secure)'}, SameSite=${cookie.sameSite}.`,
    );
  }
  lines.push('- Sign-out deletes the session on the server, not only the cookie.');
  return lines.join('\n');
}
