/**
 * @latchkey/client: the browser half of Latchkey. A `fetch` that handles the
 * session (one refresh for many calls, across tabs too; sign-in with
 * `returnTo`; step-up), cross-tab state, and the login page's `returnTo`.
 */
export {
  createClient,
  type ClientOptions,
  type LatchkeyClient,
  type RefreshOutcome,
  type SessionState,
  type SignedOutEvent,
  type SignedOutReason,
  type StepUpEvent,
  type Timers,
} from './client.js';
export { passkeyCeremony, passkeyStepUp, registerPasskey, type PasskeyRoutes } from './passkey.js';
export { readReturnTo, sameOriginPath, type LocationLike } from './return-to.js';
export { createDpopSigner, indexedDbKeyStore, type DpopKeyStore, type DpopSigner } from './dpop.js';
export type { CrossTabMode } from './cross-tab.js';
export type { LockManagerLike } from './refresh-lock.js';
