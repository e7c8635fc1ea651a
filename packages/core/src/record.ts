/**
 * What the store holds for a session, and its encoding. Three kinds of
 * value live under a session key: the live session, a short-lived alias left
 * behind by an ID renewal (so requests already in flight with the previous
 * ID still work for `renewGrace`), and a revocation tombstone (so a revoked
 * device is told `revoked` rather than `unknown`). None holds the secret ID.
 */

import { isStoredFactors, type StoredFactors } from './auth-factors.js';

/** Facts about the device a session was created on, as the caller supplied them (ASVS V7.5.2: users can see them). */
export interface DeviceFacts {
  userAgent?: string;
  ip?: string;
}

/** A live session as stored. Times are milliseconds since the epoch from the injected clock. */
export interface SessionRecord<Data = Record<string, unknown>> {
  t: 'session';
  /** Version, bumped on every write; a write based on an older version never replaces a newer one. */
  v: number;
  /** The signed-in user, or `null` for an anonymous session that carries data only. */
  uid: string | null;
  data: Data;
  createdAt: number;
  lastSeenAt: number;
  /** When the session expires for inactivity: `lastSeenAt + idleTimeout`, never past `absoluteDeadline`. */
  idleDeadline: number;
  /** When the session expires whatever its activity. */
  absoluteDeadline: number;
  /** When the user last authenticated (password, passkey, ...), for step-up. `null` before login. */
  authTime: number | null;
  /** When the current ID was issued, for the renewal interval. */
  issuedAt: number;
  device: DeviceFacts;
  /** Handle of the remembered device that re-created this session, if any (see remember-me/); carried through renewal and regeneration. */
  rm?: string;
  /** The factors that authenticated the session, per method (see auth-factors.ts). Absent on records of earlier versions and on a remember-me sign-in. */
  af?: StoredFactors;
  /** Set once the browser registered a device-bound session (DBSC, see dbsc/); carried through renewal and regeneration. */
  dbsc?: DeviceBindingRecord;
}

/** A session's device binding: the DBSC session identifier and the registered public key. */
export interface DeviceBindingRecord {
  /** The DBSC `session_identifier` the browser sends back in `Sec-Secure-Session-Id`. */
  sid: string;
  /** The public key as registered (a JWK), to verify refresh proofs, which carry none. */
  jwk: Record<string, unknown> | null;
  /** Its RFC 7638 thumbprint (`null` for an `alg: none` session, where a site allowed it). */
  jkt: string | null;
  alg: string;
}

/** Left under a renewed ID for `renewGrace`: requests in flight resolve to the successor. */
export interface AliasRecord {
  t: 'alias';
  /** Handle of the successor. */
  to: string;
  /** The alias is honoured until this instant, then the old ID is dead. */
  until: number;
}

/**
 * Left under an ended ID. A revocation keeps it until the session's own
 * deadline (the device is told `revoked`); a logout (`by: 'logout'`) keeps it
 * a moment only, long enough that a racing write cannot bring the session back.
 */
export interface TombstoneRecord {
  t: 'revoked';
  at: number;
  by?: 'logout';
}

export type StoredRecord<Data = Record<string, unknown>> =
  SessionRecord<Data> | AliasRecord | TombstoneRecord;

/** Recognise a stored session value (already parsed), or `null` when it is not one of ours. */
export function storedRecordOf<Data>(r: Record<string, unknown>): StoredRecord<Data> | null {
  if (r.t === 'alias')
    return typeof r.to === 'string' && isNum(r.until) ? (r as unknown as AliasRecord) : null;
  if (r.t === 'revoked')
    return isNum(r.at) && (r.by === undefined || r.by === 'logout')
      ? (r as unknown as TombstoneRecord)
      : null;
  if (r.t !== 'session') return null;
  const ok =
    isNum(r.v) &&
    (r.uid === null || typeof r.uid === 'string') &&
    typeof r.data === 'object' &&
    r.data !== null &&
    isNum(r.createdAt) &&
    isNum(r.lastSeenAt) &&
    isNum(r.idleDeadline) &&
    isNum(r.absoluteDeadline) &&
    (r.authTime === null || isNum(r.authTime)) &&
    isNum(r.issuedAt) &&
    typeof r.device === 'object' &&
    r.device !== null &&
    (r.af === undefined || isStoredFactors(r.af));
  return ok ? (r as unknown as SessionRecord<Data>) : null;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Decode a stored JSON value, or `null` when it is not one of ours (the sealed-cookie path). */
export function decodeRecord<Data>(raw: string): StoredRecord<Data> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  return value !== null && typeof value === 'object'
    ? storedRecordOf<Data>(value as Record<string, unknown>)
    : null;
}

/**
 * The facts to store about the device `request` came from: the adapter's `facts` over the
 * User-Agent header. They come from the client, so they are for display only, and bounded.
 *
 * @example
 * deviceFactsOf(request, { ip: '203.0.113.9' }); // { userAgent: 'Mozilla/5.0 …', ip: '203.0.113.9' }
 */
export function deviceFactsOf(request: Request, facts: DeviceFacts = {}): DeviceFacts {
  const all: DeviceFacts = {
    userAgent: request.headers.get('user-agent') ?? undefined,
    ...facts,
  };
  const out: DeviceFacts = {};
  if (typeof all.userAgent === 'string' && all.userAgent)
    out.userAgent = all.userAgent.slice(0, 512);
  const ip = clientAddress(all);
  if (ip !== undefined) out.ip = ip;
  return out;
}

/**
 * The client's address from the adapter's facts, bounded (it may come from a forwarded header).
 *
 * @example
 * clientAddress({ ip: ' 203.0.113.9 ' }); // '203.0.113.9'
 */
export function clientAddress(facts: DeviceFacts): string | undefined {
  const ip = facts.ip;
  return typeof ip === 'string' && ip ? ip.trim().slice(0, 64) : undefined;
}
