/**
 * @latchkey/core/dpop: sender-constrained tokens (RFC 9449). Proof checks with a replay cache and
 * stateless server nonces, the `ath` hash, and the answers to a refused proof.
 */
export {
  createDpopVerifier,
  verifyDpopProof,
  type DpopCheck,
  type DpopErrorCode,
  type DpopFailure,
  type DpopRefusal,
  type DpopRequest,
  type DpopVerdict,
  type DpopVerifier,
  type DpopVerifierOptions,
} from './verifier.js';
export { createDpopNonces, type DpopNonceOptions, type DpopNonces } from './nonce.js';
export { accessTokenHash } from './ath.js';
export {
  dpopChallenge,
  dpopErrorResponse,
  dpopNonceHeaders,
  type DpopChallengeError,
} from './response.js';
export { jwkThumbprint, type ProofAlgorithm } from '../proof/verify-proof.js';
export { DpopProofError } from '../errors.js';
