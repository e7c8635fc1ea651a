/**
 * The bearer guard's core (RFC 6750): read `Authorization: Bearer …`, verify
 * the access token, and answer a refusal with 401, the typed body and a
 * `WWW-Authenticate: Bearer` challenge (`error="invalid_token"` only when a
 * token was sent, §3.1); `Authorization: DPoP …` too when the verifier has DPoP (RFC 9449 §7).
 */

import type { InvalidTokenReason } from './error-body.js';
import { errorResponse } from './error-response.js';
import { isStoreError, storeUnavailableResponse } from './expiry-response.js';
import type { AnswerMode } from './negotiation.js';
import type { AccessClaims, AccessInvalidReason, AccessVerdict } from './tokens/access.js';
import type { DpopEvidence } from './tokens/dpop-binding.js';
import type { DpopVerifier } from './dpop/verifier.js';
import { dpopChallenge, dpopNonceHeaders } from './dpop/response.js';

/** What the guard needs of a token issuer: `createTokenIssuer(...)` is one. */
export interface AccessTokenVerifier {
  verifyAccess(accessToken: string, options?: { dpop?: DpopEvidence }): Promise<AccessVerdict>;
  /**
   * With a DPoP verifier, `Authorization: DPoP` is accepted and bound tokens need it (RFC 9449 §7).
   * `verifyAccess` must then check `options.dpop` for `cnf.jkt` tokens, as `createTokenIssuer`'s does.
   */
  readonly dpop?: DpopVerifier;
}

/** Options for {@link authenticateBearer}. */
export interface BearerOptions {
  /** The `realm` of the challenge. Default `api`. */
  realm?: string;
  /** How the 401 answers: `json`, `page` (text), or negotiated (default). */
  mode?: AnswerMode;
}

/** The outcome of {@link authenticateBearer}. */
export type BearerOutcome =
  | {
      valid: true;
      claims: AccessClaims;
      token: string;
      /** Headers for the answer: a fresh `DPoP-Nonce` when nonces are on (RFC 9449 §8.2), so the next proof needs no refusal first. */
      headers?: Record<string, string>;
    }
  | {
      valid: false;
      /** Why; `store-unavailable` when revocation could not be checked (the response is a 503). */
      reason: InvalidTokenReason | 'store-unavailable';
      /** The 401 (or 503) to answer with. */
      response: Response;
    };

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token. */
const CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The bearer token of `request`: the token, `null` for none sent (no
 * `Authorization`, or another scheme), `''` for a `Bearer` credential that is
 * not a token.
 *
 * @example
 * readBearerToken(new Request('https://api.example', { headers: { authorization: 'Bearer abc' } })) // 'abc'
 */
export function readBearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (header === null || !/^bearer(?: |$)/i.test(header.trim())) return null;
  return CREDENTIALS.exec(header.trim())?.[1] ?? '';
}

function tokenReason(reason: AccessInvalidReason): InvalidTokenReason {
  return reason === 'expired' || reason === 'revoked' ? reason : 'invalid';
}

const DESCRIPTIONS: Record<Exclude<InvalidTokenReason, 'missing'>, string> = {
  expired: 'The access token expired',
  revoked: 'The access token was revoked',
  invalid: 'The access token is invalid',
};

/**
 * The 401 for a request without a usable access token. RFC 6750 §3.1: no
 * `error` parameter when no token was sent (`missing`), else `invalid_token`.
 *
 * @example
 * invalidTokenResponse(request, 'expired') // 401, WWW-Authenticate: Bearer realm="api", error="invalid_token", ...
 */
export function invalidTokenResponse(
  request: Request,
  reason: InvalidTokenReason,
  options: BearerOptions = {},
  dpop?: Pick<DpopVerifier, 'algorithms'>,
): Response {
  const realm = (options.realm ?? 'api').replace(/["\\]/g, '');
  const bearer =
    reason === 'missing'
      ? `Bearer realm="${realm}"`
      : `Bearer realm="${realm}", error="invalid_token", error_description="${DESCRIPTIONS[reason]}"`;
  // RFC 9449 §7.1: a resource that takes DPoP says so, with the algorithms it accepts.
  const challenge = dpop ? `${bearer}, ${dpopChallenge(dpop, undefined, options.realm)}` : bearer;
  return errorResponse(
    request,
    { error: 'invalid_token', reason },
    {
      status: 401,
      text: 'Sign in to continue.',
      headers: { 'www-authenticate': challenge, vary: 'Authorization' },
      mode: options.mode,
    },
  );
}

/**
 * Verify the request's bearer access token: its claims, or the response to refuse it with.
 *
 * @example
 * const auth = await authenticateBearer(request, tokens);
 * if (!auth.valid) return auth.response; // 401 invalid_token, or 503
 * return Response.json({ user: auth.claims.sub });
 */
export async function authenticateBearer(
  request: Request,
  verifier: AccessTokenVerifier,
  options: BearerOptions = {},
): Promise<BearerOutcome> {
  const dpop = verifier.dpop;
  const dpopToken = dpop ? readDpopToken(request) : null;
  if (dpop && dpopToken !== null)
    return authenticateDpop(request, verifier, dpop, dpopToken, options);
  const token = readBearerToken(request);
  if (token === null)
    return {
      valid: false,
      reason: 'missing',
      response: invalidTokenResponse(request, 'missing', options, dpop),
    };
  let verdict: AccessVerdict = { valid: false, reason: 'malformed' };
  try {
    if (token !== '') verdict = await verifier.verifyAccess(token);
  } catch (error) {
    // Revocation could not be checked: fail closed, and say the service is down rather than the user out.
    if (!isStoreError(error)) throw error;
    return {
      valid: false,
      reason: 'store-unavailable',
      response: storeUnavailableResponse(request),
    };
  }
  if (verdict.valid) return { valid: true, claims: verdict.claims, token };
  // RFC 9449 §7.2: a DPoP-bound token sent as a bearer token is refused (no downgrade).
  if (verdict.reason === 'dpop-proof' && dpop)
    return dpopRefused(
      request,
      dpop,
      options,
      'invalid_token',
      'A DPoP-bound token must be sent with the DPoP scheme and a proof',
    );
  const reason = tokenReason(verdict.reason);
  return { valid: false, reason, response: invalidTokenResponse(request, reason, options, dpop) };
}

/** `Authorization: DPoP <token>` (RFC 9449 §7.1): the token, `null` for another scheme, `''` for no token. */
function readDpopToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (header === null || !/^dpop(?: |$)/i.test(header.trim())) return null;
  return DPOP_CREDENTIALS.exec(header.trim())?.[1] ?? '';
}

const DPOP_CREDENTIALS = /^dpop +([A-Za-z0-9\-._~+/]+=*) *$/i;

async function authenticateDpop(
  request: Request,
  verifier: AccessTokenVerifier,
  dpop: DpopVerifier,
  token: string,
  options: BearerOptions,
): Promise<BearerOutcome> {
  if (token === '')
    return dpopRefused(request, dpop, options, 'invalid_token', 'The access token is invalid');
  let verdict: AccessVerdict;
  try {
    verdict = await verifier.verifyAccess(token, { dpop: request });
  } catch (error) {
    if (!isStoreError(error)) throw error;
    return {
      valid: false,
      reason: 'store-unavailable',
      response: storeUnavailableResponse(request),
    };
  }
  if (verdict.valid) {
    // The DPoP scheme claims a bound token; an unbound one sent this way is not what it says.
    if (typeof verdict.claims.cnf?.jkt === 'string') {
      const nonce = dpop.nonce();
      return {
        valid: true,
        claims: verdict.claims,
        token,
        ...(nonce === null ? {} : { headers: { 'dpop-nonce': nonce } }),
      };
    }
    return dpopRefused(
      request,
      dpop,
      options,
      'invalid_token',
      'The access token is not DPoP-bound',
    );
  }
  if (verdict.reason === 'dpop-proof' && verdict.dpop)
    return dpopRefused(
      request,
      dpop,
      options,
      verdict.dpop.error,
      verdict.dpop.detail,
      verdict.dpop.reason,
    );
  const reason = tokenReason(verdict.reason);
  return dpopRefused(
    request,
    dpop,
    options,
    'invalid_token',
    DESCRIPTIONS[reason === 'missing' ? 'invalid' : reason],
    reason,
  );
}

/** A 401 with a `DPoP` challenge (and `DPoP-Nonce` when a nonce is what was missing). */
function dpopRefused(
  request: Request,
  dpop: DpopVerifier,
  options: BearerOptions,
  error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce',
  description: string,
  detail?: string,
): BearerOutcome {
  const reason: InvalidTokenReason =
    error === 'invalid_token' && (detail === 'expired' || detail === 'revoked')
      ? detail
      : 'invalid';
  const body =
    error === 'invalid_token'
      ? ({ error, reason } as const)
      : ({ error, reason: detail ?? 'invalid' } as const);
  const response = errorResponse(request, body, {
    status: 401,
    text: 'Sign in to continue.',
    headers: {
      'www-authenticate': dpopChallenge(dpop, { error, description }, options.realm),
      vary: 'Authorization, DPoP',
      'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce',
      ...dpopNonceHeaders(dpop, { error }),
    },
    mode: options.mode,
  });
  return { valid: false, reason, response };
}
