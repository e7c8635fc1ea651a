/**
 * @latchkey/core: the session policy engine. Web standards only (Request,
 * Response, Headers, URL, WebCrypto, TextEncoder), plus jose and @noble/hashes.
 */
export * from './errors.js';
export * from './clock.js';
export * from './duration.js';
export { cryptoRandom, type RandomSource } from './random.js';
export * from './store/types.js';
export { checkString, checkTtl, checkValue } from './store/checks.js';
export { MemoryStore, type MemoryStoreOptions } from './store/memory.js';
export {
  definePolicy,
  MAX_COOKIE_LIFETIME_MS,
  type PolicyOptions,
  type SessionPolicy,
} from './policy.js';
export { presets, type PresetName } from './presets.js';
export { describePolicy, type PolicyDocumentContext } from './policy-document.js';
export { decide, type Decision, type Expiry } from './decide.js';
export type { DeviceFacts, SessionRecord } from './record.js';
export type { SessionEvent, SessionEventType, EventSink, ExpiredReason } from './events.js';
export type { InvalidReason, LoadOutcome } from './outcome.js';
export { Session, type SessionData } from './session.js';
export { RequestSession, type LoginOptions } from './request-session.js';
export {
  createLatchkey,
  type Latchkey,
  type LatchkeyOptions,
  type SessionLimit,
  type SessionSummary,
} from './engine.js';
export {
  expiryResponse,
  expiryReason,
  safeReturnTo,
  storeUnavailableResponse,
  wantsJson,
  type ExpiryReason,
  type ExpiryResponseOptions,
} from './expiry-response.js';
export { serializeCookie, deletionCookie, type CookieAttributes } from './cookie/serialize.js';
export { parseCookieHeader, getCookie } from './cookie/parse.js';
export {
  resolveSessionCookie,
  type SessionCookieOptions,
  type ResolvedCookie,
} from './cookie/session-cookie.js';
export {
  withSessions,
  isStoreError,
  type SessionContext,
  type SessionHandler,
  type WithSessionsOptions,
} from './fetch-handler.js';
export { requireFreshAuth, stepUpResponse, type FreshAuth } from './step-up.js';
export {
  REMEMBER_ME_GRACE_MS,
  type DeviceSummary,
  type RememberMeOptions,
} from './remember-me/remember-me.js';
export {
  createKeySet,
  type KeySet,
  type KeyConfig,
  type HmacKeyConfig,
  type KeyPairConfig,
  type TokenAlgorithm,
  type VerifyFailure,
} from './tokens/keys.js';
export {
  createTokenIssuer,
  type TokenIssuer,
  type TokenIssuerOptions,
  type TokenPair,
  type RefreshOutcome,
  type RefreshInvalidReason,
} from './tokens/issuer.js';
export {
  ACCESS_TOKEN_TYPE,
  type AccessClaims,
  type AccessVerdict,
  type AccessInvalidReason,
  type ExtraClaims,
} from './tokens/access.js';
export {
  createRevocation,
  type Revocation,
  type RevocationOptions,
  type RevocationSubject,
} from './tokens/revocation.js';
export {
  createRefreshCookie,
  type RefreshCookie,
  type RefreshCookieOptions,
} from './tokens/refresh-cookie.js';
export {
  createSealedSessions,
  SealedRequestSession,
  type SealedSessions,
  type SealedSessionsOptions,
} from './sealed/sealed-sessions.js';
export { type SealingSecret, MIN_SECRET_BYTES as MIN_SEALING_SECRET_BYTES } from './sealed/keys.js';
export { type Chunking } from './sealed/chunks.js';
