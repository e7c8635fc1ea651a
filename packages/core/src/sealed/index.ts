/**
 * @latchkey/core/sealed: store-less sessions sealed in the cookie (JWE
 * dir/A256GCM), judged by the same `decide()` as server-side sessions.
 */
export {
  createSealedSessions,
  SealedRequestSession,
  type SealedSessions,
  type SealedSessionsOptions,
} from './sealed-sessions.js';
export { type SealingSecret, MIN_SECRET_BYTES as MIN_SEALING_SECRET_BYTES } from './keys.js';
export type { Chunking } from './chunks.js';
