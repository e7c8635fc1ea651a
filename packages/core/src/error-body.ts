/**
 * Every JSON error body Latchkey's responses carry, as one union, so a client
 * (`@latchkey/client`, or an app's own) switches on `error` with the compiler's
 * help. The server side builds its bodies from these types.
 */

import type { ExpiryReason } from './expiry-response.js';

/**
 * A Latchkey error body.
 *
 * @example
 * const body = (await response.json()) as SessionErrorBody;
 * if (body.error === 'session_expired' && body.reason === 'idle') showSignIn('You were away too long');
 */
export type SessionErrorBody =
  /** 401: no valid session (or access token); `reason` says why, `unauthenticated` saying no more. */
  | { error: 'session_expired'; reason: ExpiryReason }
  /** 403: the action needs a fresher authentication (step-up, ASVS V7.5.3). */
  | { error: 'step_up_required' }
  /** 503: the session store is down; try again after `Retry-After`. */
  | { error: 'session_store_unavailable' }
  /** 409: a write kept losing races against parallel requests; try again after `Retry-After`. */
  | { error: 'session_conflict' };

/** The `error` codes of {@link SessionErrorBody}. */
export type SessionErrorCode = SessionErrorBody['error'];
