/**
 * @latchkey/core/webauthn: passkey step-up (verify-only re-authentication)
 * and passkey registration for signed-in sessions, over the optional peer
 * dependency `@simplewebauthn/server` (^13). See docs/step-up.md.
 */

export { createPasskeys } from './passkeys.js';
export type {
  Passkeys,
  PasskeysOptions,
  PasskeyCredential,
  PasskeyCredentials,
  PasskeyVerdict,
  RegistrationVerdict,
} from './types.js';
export { refused, type PasskeyRefused } from './refusal.js';
export type { PasskeyRefusal } from '../error-body.js';
