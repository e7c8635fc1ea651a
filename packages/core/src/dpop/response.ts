/**
 * DPoP refusals as HTTP answers: the `WWW-Authenticate: DPoP` challenge of a protected resource
 * (RFC 9449 §7.1) and the 400 of a token endpoint (§5), each with a fresh `DPoP-Nonce` when a
 * nonce is what was missing (§8, §9).
 */
import { errorResponse } from '../error-response.js';
import type { AnswerMode } from '../negotiation.js';
import type { DpopErrorCode, DpopRefusal, DpopVerifier } from './verifier.js';

/** What a challenge says: the error (absent when no credentials were sent) and why. */
export interface DpopChallengeError {
  error: DpopErrorCode | 'invalid_token';
  description?: string;
}

const quoted = (value: string) => value.replace(/["\\]/g, '');

/**
 * The `DPoP` challenge: `DPoP realm="api", algs="ES256 …"`, plus `error` and `error_description`.
 *
 * @example
 * dpopChallenge(verifier, { error: 'use_dpop_nonce' }) // 'DPoP realm="api", algs="ES256", error="use_dpop_nonce"'
 */
export function dpopChallenge(
  verifier: Pick<DpopVerifier, 'algorithms'>,
  error?: DpopChallengeError,
  realm = 'api',
): string {
  let challenge = `DPoP realm="${quoted(realm)}", algs="${verifier.algorithms.join(' ')}"`;
  if (error) challenge += `, error="${error.error}"`;
  if (error?.description) challenge += `, error_description="${quoted(error.description)}"`;
  return challenge;
}

/**
 * The headers of a DPoP refusal: `DPoP-Nonce` with the current nonce when one was asked for.
 *
 * @example
 * new Headers(dpopNonceHeaders(verifier, { error: 'use_dpop_nonce' })) // dpop-nonce: <current nonce>
 */
export function dpopNonceHeaders(
  verifier: Pick<DpopVerifier, 'nonce'>,
  refusal: { error: DpopErrorCode | 'invalid_token' },
): Record<string, string> {
  const nonce = refusal.error === 'use_dpop_nonce' ? verifier.nonce() : null;
  return nonce === null ? {} : { 'dpop-nonce': nonce };
}

/**
 * The token endpoint's answer to a refused proof (RFC 9449 §5): 400 with
 * `{"error":"invalid_dpop_proof"|"use_dpop_nonce","reason":…}`, and `DPoP-Nonce` for the latter.
 *
 * @example
 * const verdict = await dpop.verify(request);
 * if (!verdict.valid) return dpopErrorResponse(request, verdict, dpop);
 */
export function dpopErrorResponse(
  request: Request,
  refusal: DpopRefusal,
  verifier: Pick<DpopVerifier, 'nonce'>,
  mode?: AnswerMode,
): Response {
  return errorResponse(
    request,
    { error: refusal.error, reason: refusal.reason },
    {
      status: 400,
      text: 'The request could not be verified.',
      headers: {
        ...dpopNonceHeaders(verifier, refusal),
        'access-control-expose-headers': 'DPoP-Nonce',
      },
      mode: mode ?? 'json',
    },
  );
}
