/**
 * @latchkey/core/dbsc: Device Bound Session Credentials (W3C DBSC editor's draft of
 * 2026-02-17): the binding an engine attaches, its two endpoints, the header formats and the
 * strict RFC 9651 structured-field subset they use. See docs/device-bound-sessions.md.
 */
export { deviceBoundSessions, isDeviceBound, type DeviceBinding } from './device-binding.js';
export type { DeviceBindingOptions } from './options.js';
export {
  registrationHeader,
  challengeHeader,
  readProof,
  readSessionId,
  readSkipped,
  type DbscAlgorithm,
  type SkipReason,
} from './headers.js';
export {
  credentialAttributes,
  sessionInstructions,
  endInstructions,
  type ScopeRule,
  type SessionInstructions,
} from './instructions.js';
export { deviceBindingResponse, deviceBoundEnough } from './guard.js';
export {
  parseList,
  parseItem,
  sfString,
  sfToken,
  type BareItem,
  type Member,
  type Parameters,
} from './structured-fields.js';
export type { DeviceBindingPlugin } from '../binding.js';
