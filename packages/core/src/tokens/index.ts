/**
 * @latchkey/core/tokens: access tokens (JWT) with rotating refresh tokens and
 * reuse detection, key sets and JWKS, and revocation for stateless tokens.
 */
export {
  createKeySet,
  type KeySet,
  type KeyConfig,
  type HmacKeyConfig,
  type KeyPairConfig,
  type TokenAlgorithm,
  type VerifyFailure,
} from './keys.js';
export {
  createTokenIssuer,
  type TokenIssuer,
  type TokenIssuerOptions,
  type TokenPair,
  type RefreshOutcome,
  type RefreshInvalidReason,
  type IssueOptions,
  type ProofOptions,
} from './issuer.js';
export {
  ACCESS_TOKEN_TYPE,
  type AccessClaims,
  type AccessVerdict,
  type AccessInvalidReason,
  type ExtraClaims,
} from './access.js';
export {
  createRevocation,
  type Revocation,
  type RevocationOptions,
  type RevocationSubject,
} from './revocation.js';
export type { DpopEvidence } from './dpop-binding.js';
export {
  createRefreshCookie,
  type RefreshCookie,
  type RefreshCookieOptions,
} from './refresh-cookie.js';
