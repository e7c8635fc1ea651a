/**
 * What the store holds for a remembered device, and the typed, error-mapped
 * access to it. One record per device under `${prefix}rm:${handle}` (the
 * handle is the SHA-256 of the selector), kept until the device's own
 * expiry and no longer. Rotation replaces it with compare-and-set, so of
 * several requests racing with one token exactly one rotates it.
 */

import type { DeviceBindingRecord, DeviceFacts } from '../record.js';

/** A remembered device as stored. Holds hashes only: no validator, no session ID in the clear. */
export interface DeviceRecord {
  t: 'device';
  uid: string;
  /** SHA-256 of the current validator. */
  validatorHash: string;
  createdAt: number;
  /** Last rotation, i.e. when the device last signed its user back in. */
  rotatedAt: number;
  /** Fixed at login: rotation never extends a device's life (ASVS V10.4.8's absolute expiry, applied here too). */
  expiresAt: number;
  /** When the user last really authenticated on this device; silent re-authentication carries it, never refreshes it. */
  authTime: number;
  device: DeviceFacts;
  /** The validator just replaced and its sealed successor, honoured until `until` (the grace window). */
  previous?: { validatorHash: string; successor: string; until: number };
  /**
   * The key a session of this device registered (DBSC), and when. From then on the cookie signs
   * nobody in by itself (a copy would start a new, unbound session anywhere): only at the
   * refresh endpoint, beside a proof by that key, does it resume the device's session.
   */
  bound?: DeviceBindingRecord & { at: number };
}

/** The session's binding a device record keeps (without the time it was bound). */
export const bindingOf = (bound: DeviceBindingRecord & { at: number }): DeviceBindingRecord => ({
  sid: bound.sid,
  jwk: bound.jwk,
  jkt: bound.jkt,
  alg: bound.alg,
});

/** The user-index member naming a device; session members are bare 43-character handles, so the two never collide. */
export const deviceMember = (handle: string): string => `rm:${handle}`;
/** The device handle in an index member, or `null` for a session member. */
export const memberDevice = (member: string): string | null =>
  member.startsWith('rm:') ? member.slice(3) : null;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

const boundOf = (b: unknown): boolean => {
  const v = b as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    isNum(v.at) &&
    isStr(v.sid) &&
    isStr(v.alg) &&
    (v.jkt === null || isStr(v.jkt)) &&
    (v.jwk === null || (typeof v.jwk === 'object' && v.jwk !== null))
  );
};

/** Recognise a stored device record (already parsed), or `null`. */
export function deviceRecordOf(r: Record<string, unknown>): DeviceRecord | null {
  const p = r.previous as Record<string, unknown> | undefined;
  const ok =
    r.t === 'device' &&
    isStr(r.uid) &&
    isStr(r.validatorHash) &&
    isNum(r.createdAt) &&
    isNum(r.rotatedAt) &&
    isNum(r.expiresAt) &&
    isNum(r.authTime) &&
    typeof r.device === 'object' &&
    r.device !== null &&
    (r.bound === undefined || boundOf(r.bound)) &&
    (p === undefined ||
      (typeof p === 'object' &&
        p !== null &&
        isStr(p.validatorHash) &&
        isStr(p.successor) &&
        isNum(p.until)));
  return ok ? (r as unknown as DeviceRecord) : null;
}
