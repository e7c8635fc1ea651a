/**
 * A refused passkey ceremony as data: the stable reason code and the answer
 * to send, `{"error":"passkey_refused","reason":…}` (401 without a signed-in
 * session, 403 otherwise), never cached.
 */

import type { PasskeyRefusal } from '../error-body.js';
import { errorResponse } from '../error-response.js';

/** A refusal: `reason` to switch on, `response` to return as is. */
export interface PasskeyRefused {
  verified: false;
  reason: PasskeyRefusal;
  response: Response;
  /** What `@simplewebauthn/server` threw, for `assertion_invalid` (log it; do not show it). */
  cause?: unknown;
}

const TEXT: Record<PasskeyRefusal, string> = {
  session_required: 'Sign in first.',
  response_malformed: 'That was not a passkey response.',
  challenge_unknown: 'This passkey request is unknown; try again.',
  challenge_replayed: 'This passkey request was already used; try again.',
  challenge_expired: 'This passkey request expired; try again.',
  challenge_session_mismatch: 'This passkey request belongs to another session; try again.',
  challenge_purpose_mismatch: 'This passkey request was for something else; try again.',
  credential_unknown: 'This passkey is not registered to your account.',
  assertion_invalid: 'The passkey could not be verified.',
};

/**
 * The refusal for `reason`.
 *
 * @example
 * const verdict = refused('challenge_replayed'); // verdict.response: 403 {"error":"passkey_refused","reason":"challenge_replayed"}
 */
export function refused(reason: PasskeyRefusal, cause?: unknown): PasskeyRefused {
  const response = errorResponse(
    new Request('http://localhost/'),
    { error: 'passkey_refused', reason },
    { status: reason === 'session_required' ? 401 : 403, text: TEXT[reason], mode: 'json' },
  );
  return { verified: false, reason, response, ...(cause === undefined ? {} : { cause }) };
}
