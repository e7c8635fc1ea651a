/**
 * What binds a token family to a DPoP key (RFC 9449 §5, §6.1) and what proves it later: a
 * verdict the app already has, or the request itself, checked by the issuer's verifier.
 */
import { accessTokenHash } from '../dpop/ath.js';
import type { DpopRefusal, DpopRequest, DpopVerdict, DpopVerifier } from '../dpop/verifier.js';
import { ConfigError, DpopProofError } from '../errors.js';
import { sameHash } from '../remember-me/device-token.js';

/** A DPoP proof for `issue`, `refresh` or `verifyAccess`: a verdict of `verifier.verify(…)`, or the request (its `DPoP` header, method and URL) for the issuer's own verifier. */
export type DpopEvidence = DpopVerdict | Request | DpopRequest;

const refusal = (reason: DpopRefusal['reason'], detail: string): DpopRefusal => ({
  valid: false,
  error: 'invalid_dpop_proof',
  reason,
  detail,
});

const isVerdict = (e: DpopEvidence): e is DpopVerdict =>
  typeof (e as DpopVerdict).valid === 'boolean';

/** Why `evidence` does not prove the key `jkt` (and, for an access token, `ath`), or `null` when it does. */
export async function proofRefusal(
  verifier: DpopVerifier | undefined,
  evidence: DpopEvidence | undefined,
  jkt: string,
  accessToken?: string,
): Promise<DpopRefusal | null> {
  if (evidence === undefined || evidence === null)
    return refusal('missing', 'this token is bound to a DPoP key: send a DPoP proof');
  if (isVerdict(evidence)) {
    if (!evidence.valid) return evidence;
    if (evidence.jkt !== jkt) return refusal('jkt', 'the proof is for another key');
    if (
      accessToken !== undefined &&
      !sameHash(evidence.claims.ath as string, accessTokenHash(accessToken))
    )
      return refusal('ath', 'ath does not match the access token');
    return null;
  }
  if (!verifier) return refusal('missing', 'the issuer has no DPoP verifier (options.dpop)');
  const verdict = await verifier.verify(evidence, { jkt, accessToken });
  return verdict.valid ? null : verdict;
}

/** The thumbprint to bind a new family to; a refused proof throws `DpopProofError`. */
export async function bindingOf(
  verifier: DpopVerifier | undefined,
  evidence: DpopEvidence,
): Promise<string> {
  let verdict: DpopVerdict;
  if (isVerdict(evidence)) verdict = evidence;
  else if (!verifier)
    throw new ConfigError(
      'issue({ dpop }): pass a verdict, or give the issuer a DPoP verifier (options.dpop)',
    );
  else verdict = await verifier.verify(evidence);
  if (!verdict.valid) throw new DpopProofError(verdict);
  return verdict.jkt;
}
