/**
 * @latchkey/core: what an app needs to start. Tokens, sealed cookies, cookie
 * primitives, store-author helpers and the conformance suite live on the
 * subpaths `/tokens`, `/sealed`, `/cookie`, `/store` and `/testing`.
 */

// The engine and the universal adapter.
export {
  createLatchkey,
  type Latchkey,
  type LatchkeyOptions,
  type SessionLimit,
  type SessionSummary,
} from './engine.js';
export {
  withSessions,
  isStoreError,
  type SessionContext,
  type SessionHandler,
  type WithSessionsOptions,
  type FetchHandler,
} from './fetch-handler.js';
export { assertSessionEngine } from './engine-check.js';

// One request's session, and what loading it yields.
export type {
  RequestSession,
  SessionEngine,
  LoginOptions,
  ReauthenticateOptions,
  SessionHeaders,
} from './contract.js';
export type { SignedInSession, SignedInRequestSession } from './contract.js';
export type { ServerRequestSession } from './request-session.js';
export { Session, type SessionData } from './session.js';
export type { LoadOutcome, InvalidReason } from './outcome.js';
export type { ExpiryKind } from './decide.js';
export type { RememberedLogin } from './remember-me/remember-me.js';
export type { DeviceFacts } from './record.js';

// Policy.
export { definePolicy, type PolicyOptions, type SessionPolicy } from './policy.js';
export { presets, type PresetName } from './presets.js';
export { duration, type Duration } from './duration.js';
export type { Clock } from './clock.js';
export type { RandomSource } from './random.js';

// Answers for requests without a session, or with a store down, and their JSON bodies.
export type {
  SessionErrorBody,
  SessionErrorCode,
  ExpiryReason,
  CsrfRejection,
  InvalidTokenReason,
  PasskeyRefusal,
} from './error-body.js';
export {
  expiryResponse,
  storeUnavailableResponse,
  sessionFailureResponse,
  safeReturnTo,
  type ExpiryResponseOptions,
} from './expiry-response.js';
export { answerMode, type AnswerMode } from './negotiation.js';

// Guards: cross-site request forgery, bearer access tokens.
export {
  checkCsrf,
  csrfResponse,
  csrfGuard,
  type CsrfOptions,
  type CsrfVerdict,
  type UnverifiableRule,
} from './csrf.js';
export {
  authenticateBearer,
  invalidTokenResponse,
  readBearerToken,
  type AccessTokenVerifier,
  type BearerOptions,
  type BearerOutcome,
} from './bearer.js';
export {
  stepUpResponse,
  type FreshAuth,
  type FreshAuthOptions,
  type StepUpRequirement,
} from './step-up.js';
export type { AuthMethod, AuthFactor } from './auth-factors.js';

// A store to start with, and events.
export { MemoryStore, type MemoryStoreOptions } from './store/memory.js';
export type { SessionStore } from './store/types.js';
export type { SessionEvent, EventSink } from './events.js';

// Errors, each with a stable code.
export * from './errors.js';
