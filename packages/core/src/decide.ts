/**
 * The heart of the engine: a pure function of policy, record and time, with
 * no store, cookie or clock inside. What counts as activity is in docs/policy.md.
 */

import type { SessionPolicy } from './policy.js';
import type { SessionRecord } from './record.js';

/** Why a session is no longer valid, as data (tower-sessions' `Expiry`, inverted). */
/** Why a session, token or family stopped being valid by time: the one expiry reason everywhere. */
export type ExpiryKind = 'idle' | 'absolute';

/** An expiry as data: which deadline passed, and when. */
export type Expiry = { kind: ExpiryKind; at: number };

/** The verdict on one stored session at one instant. */
export type Decision =
  { kind: 'valid'; touch: boolean; renew: boolean } | { kind: 'expired'; expiry: Expiry };

/**
 * Judge a session record at time `now`.
 *
 * When both deadlines have passed the verdict is `absolute`: the idle
 * deadline is capped at the absolute one, so the cap is the truer cause.
 *
 * @example
 * const d = decide(policy, record, clock.now());
 * if (d.kind === 'expired') console.log(d.expiry.kind); // 'idle' | 'absolute'
 */
export function decide(
  policy: SessionPolicy,
  record: SessionRecord<unknown>,
  now: number,
): Decision {
  if (now >= record.absoluteDeadline)
    return { kind: 'expired', expiry: { kind: 'absolute', at: record.absoluteDeadline } };
  const idleAt = Math.min(record.idleDeadline, record.lastSeenAt + policy.idleTimeout);
  if (now >= idleAt) return { kind: 'expired', expiry: { kind: 'idle', at: idleAt } };
  return {
    kind: 'valid',
    touch: now - record.lastSeenAt >= policy.touchInterval,
    renew: policy.renewInterval !== false && now - record.issuedAt >= policy.renewInterval,
  };
}

/** The record after activity at `now`: last seen moves, the idle deadline slides but never past the absolute one. */
export function touched<Data>(
  policy: SessionPolicy,
  record: SessionRecord<Data>,
  now: number,
): SessionRecord<Data> {
  return {
    ...record,
    lastSeenAt: now,
    idleDeadline: Math.min(now + policy.idleTimeout, record.absoluteDeadline),
  };
}

/** A new record for a session starting at `now`. */
export function freshRecord<Data>(
  policy: SessionPolicy,
  init: {
    uid: string | null;
    data: Data;
    authTime: number | null;
    device: SessionRecord['device'];
  },
  now: number,
): SessionRecord<Data> {
  const absoluteDeadline = now + policy.absoluteTimeout;
  return {
    t: 'session',
    v: 1,
    uid: init.uid,
    data: init.data,
    createdAt: now,
    lastSeenAt: now,
    idleDeadline: Math.min(now + policy.idleTimeout, absoluteDeadline),
    absoluteDeadline,
    authTime: init.authTime,
    issuedAt: now,
    device: init.device,
  };
}

/**
 * Milliseconds the store keeps a record: until its effective deadline plus
 * the policy's `expiryNotice` (so a returning user learns why), and no longer.
 */
export function storeTtl(
  policy: SessionPolicy,
  record: SessionRecord<unknown>,
  now: number,
): number {
  return Math.max(
    1,
    Math.min(record.idleDeadline, record.absoluteDeadline) + policy.expiryNotice - now,
  );
}
