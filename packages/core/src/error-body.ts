/**
 * Every JSON error body Latchkey's responses carry, as one union, so a client
 * (`@latchkey/client`, or an app's own) switches on `error` with the compiler's
 * help. The server side builds its bodies from these types.
 */

import type { ExpiryKind } from './decide.js';

/** The reason a JSON client is told its session is gone: which deadline passed, revoked, or no more said. */
export type ExpiryReason = ExpiryKind | 'revoked' | 'unauthenticated';

/** Why a state-changing request was refused as cross-site (see `checkCsrf`). */
export type CsrfRejection =
  /** `Origin` is `null` (a sandboxed frame, a `data:` page, some redirects). */
  | 'null-origin'
  /** `Origin` (or `Referer`) names an origin that is neither the app's nor trusted. */
  | 'origin-mismatch'
  /** `Sec-Fetch-Site: cross-site`. */
  | 'cross-site'
  /** `Sec-Fetch-Site: same-site` (a sibling subdomain), refused unless `allowSameSite`. */
  | 'same-site'
  /** Neither `Origin`, `Referer` nor `Sec-Fetch-Site`, and the configured rule refuses that. */
  | 'unverifiable';

/** Why a bearer token was refused (see `authenticateBearer`). `missing`: no token was sent at all. */
export type InvalidTokenReason = 'missing' | 'expired' | 'revoked' | 'invalid';

/**
 * Why a WebAuthn ceremony of `@latchkey/core/webauthn` was refused; each a stable code.
 * No refusal ever signs anyone in or creates a session.
 */
export type PasskeyRefusal =
  /** No signed-in session: the ceremony only re-authenticates, it never mints a session. */
  | 'session_required'
  /** The response is not a WebAuthn credential response (no readable challenge). */
  | 'response_malformed'
  /** No such challenge was issued, or it is long gone. */
  | 'challenge_unknown'
  /** The challenge was already used: each is good for one ceremony. */
  | 'challenge_replayed'
  /** The challenge outlived its short lifetime; ask for new options. */
  | 'challenge_expired'
  /** The challenge was issued to another session (or before this session's ID changed). */
  | 'challenge_session_mismatch'
  /** The challenge was issued for another purpose (another action, or registration). */
  | 'challenge_purpose_mismatch'
  /** The credential is not registered, or not to this session's user. */
  | 'credential_unknown'
  /** The signature, origin, RP ID, counter or user verification did not check out. */
  | 'assertion_invalid';

/**
 * A Latchkey error body.
 *
 * @example
 * const body = (await response.json()) as SessionErrorBody;
 * if (body.error === 'session_expired' && body.reason === 'idle') showSignIn('You were away too long');
 */
export type SessionErrorBody =
  /** 401: no valid session; `reason` says why, `unauthenticated` saying no more. */
  | { error: 'session_expired'; reason: ExpiryReason }
  /** 401: no valid access token (`WWW-Authenticate: Bearer`); `expired` means refresh and retry. */
  | { error: 'invalid_token'; reason: InvalidTokenReason }
  /**
   * 403: the action needs a fresher authentication (step-up, ASVS V7.5.3).
   * `max_age`: seconds the new authentication counts for (RFC 9470's name);
   * `methods`: any one of these will do (absent: any method);
   * `user_verification: 'required'`: the authenticator must verify the user (WebAuthn UV).
   */
  | {
      error: 'step_up_required';
      max_age?: number;
      methods?: string[];
      user_verification?: 'required';
    }
  /** 401 (`session_required`) or 403: a passkey ceremony refused (`@latchkey/core/webauthn`). */
  | { error: 'passkey_refused'; reason: PasskeyRefusal }
  /** 403: the route needs a session bound to its device (DBSC), and this one is not. */
  | { error: 'device_binding_required' }
  /** 403: a state-changing request that did not come from the app's own pages (ASVS V3.5). */
  | { error: 'csrf_rejected'; reason: CsrfRejection }
  /** 503: the session store is down; try again after `Retry-After`. */
  | { error: 'session_store_unavailable' }
  /** 409: a write kept losing races against parallel requests; try again after `Retry-After`. */
  | { error: 'session_conflict' }
  /** 400 (token endpoint) or 401 (API): a refused DPoP proof (RFC 9449 §7.1); `use_dpop_nonce`: retry with `DPoP-Nonce`. */
  | { error: 'invalid_dpop_proof' | 'use_dpop_nonce'; reason: string };

/** The `error` codes of {@link SessionErrorBody}. */
export type SessionErrorCode = SessionErrorBody['error'];
