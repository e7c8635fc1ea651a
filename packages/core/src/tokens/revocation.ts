/**
 * Revocation for self-contained tokens (ASVS 5.0 V7.4.1): a `jti` denylist
 * kept until each token's own expiry, and a per-user not-before time for
 * "log out everywhere".
 */

import { type Clock, systemClock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
import { StoreError } from '../errors.js';
import { emit, type EventSink } from '../events.js';
import { MAX_COOKIE_LIFETIME_MS } from '../policy.js';
import { hashSecret } from '../random.js';
import type { SessionStore } from '../store/types.js';
import { StoreDeadline } from '../store/deadline.js';
import { isNum, StoreAccess, TypedStore } from '../store/typed-store.js';

/** Options for {@link createRevocation}. */
export interface RevocationOptions {
  store: SessionStore;
  clock?: Clock;
  onEvent?: EventSink;
  /** Prefix of every store key. Default `lk:`; use the same one everywhere the registry is shared. */
  keyPrefix?: string;
  /**
   * How long a per-user not-before record is kept: at least the longest
   * lifetime of anything it must refuse (refresh-token families, sealed
   * sessions). Default 400 days, the longest a cookie can live.
   */
  horizon?: Duration;
  /** Most time one store call may take before it fails closed (`StoreTimeoutError`). Default `'500ms'`; `false` for none. */
  storeTimeout?: Duration | false;
}

/** What a check is asked about: the token's ID (if any), its user and when it was issued (ms). */
export interface RevocationSubject {
  jti?: string;
  userId: string;
  /** Milliseconds since the epoch. A JWT `iat` counts as `iat * 1000`, which refuses tokens issued in the same second as a logout-everywhere: fail-safe by at most one second. */
  issuedAt: number;
  /** The refresh-token family the token was minted from (an access token's `sid`), if any. */
  family?: string;
}

/** Why a token is refused: its own `jti`, the user's not-before time, or its revoked refresh-token family. */
export type RevocationCause = 'jti' | 'not-before' | 'family';

/** Revocation of stateless tokens. */
export interface Revocation {
  /** Deny one token by its `jti` until `expiresAt` (its `exp`, in ms), then forget it. */
  revokeJti(jti: string, expiresAt: number, userId?: string | null): Promise<void>;
  /** Log a user out everywhere: tokens and sealed sessions issued before now are refused from now on. Returns the not-before time. */
  setNotBefore(userId: string): Promise<number>;
  /**
   * Refuse every access token minted from a refresh-token family of `userId`
   * (reuse detected, logout) until `until` (ms): when the last of them expires.
   * Kept in the user's not-before record, so checking it costs no extra read.
   */
  revokeFamily(userId: string, family: string, until: number): Promise<void>;
  /** The user's not-before time in ms, or `null`. One store read. */
  notBefore(userId: string): Promise<number | null>;
  /** `null` when the token may be used, else why not (and a `token-revoked-used` event is emitted). Two store reads, in parallel. */
  check(subject: RevocationSubject): Promise<RevocationCause | null>;
}

/** Per user: the not-before time (`0` for none) and recently revoked families, each until its access tokens expire. */
type UserMark = { t: 'nbf'; at: number; f?: Record<string, number> };

const userMarkOf = (v: Record<string, unknown>): UserMark | null => {
  if (v.t !== 'nbf' || !isNum(v.at)) return null;
  if (v.f === undefined) return v as UserMark;
  if (v.f === null || typeof v.f !== 'object' || Array.isArray(v.f)) return null;
  return Object.values(v.f).every(isNum) ? (v as UserMark) : null;
};

const MAX_ATTEMPTS = 16;

/**
 * @example
 * const revocation = createRevocation({ store, clock });
 * await revocation.revokeJti(claims.jti, claims.exp * 1000, claims.sub); // this token, until it expires
 * await revocation.setNotBefore('ada');                                 // everything issued before now
 */
export function createRevocation(options: RevocationOptions): Revocation {
  const clock = options.clock ?? systemClock;
  const prefix = options.keyPrefix ?? 'lk:';
  const horizon = toMillis(options.horizon ?? MAX_COOKIE_LIFETIME_MS);
  if (!(horizon > 0))
    throw new RangeError(
      `revocation.horizon must be a positive duration, got ${JSON.stringify(options.horizon)}`,
    );
  const deadline = StoreDeadline.of('createRevocation', options.storeTimeout);
  const access = StoreAccess.checked(options.store, () => clock.now(), options.onEvent, deadline);
  type Mark<T extends string> = { t: T; at: number };
  const markOf =
    <T extends string>(t: T) =>
    (v: Record<string, unknown>) =>
      v.t === t && isNum(v.at) ? (v as Mark<T>) : null;
  // Keyed by hashes: a store dump names no token, no user and no family.
  const jtis = new TypedStore(access, `${prefix}jti:`, 'revoked token', markOf('jti'));
  const users = new TypedStore(access, `${prefix}nbf:`, 'not-before time', userMarkOf);

  async function notBefore(userId: string): Promise<number | null> {
    const read = await users.read(hashSecret(userId));
    return read && read.value.at > 0 ? read.value.at : null;
  }

  async function revokeFamily(userId: string, family: string, until: number): Promise<void> {
    const id = hashSecret(userId);
    const name = hashSecret(family);
    // Compare-and-set, so two families revoked at once are both kept.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await users.read(id);
      const now = clock.now();
      if (until <= now) return;
      const current: UserMark = read?.value ?? { t: 'nbf', at: 0 };
      const f: Record<string, number> = {};
      for (const [k, u] of Object.entries(current.f ?? {})) if (u > now) f[k] = u;
      f[name] = Math.max(until, f[name] ?? 0);
      const keep = Math.max(current.at > 0 ? horizon : 0, ...Object.values(f).map((u) => u - now));
      if (await users.replace(id, read?.raw ?? null, { t: 'nbf', at: current.at, f }, keep)) return;
    }
    throw new StoreError(
      'write',
      `revoking a token family lost its race ${MAX_ATTEMPTS} times in a row`,
    );
  }

  return {
    async revokeJti(jti, expiresAt, userId = null) {
      if (typeof jti !== 'string' || jti === '')
        throw new TypeError('revokeJti: jti must be a non-empty string');
      const now = clock.now();
      if (isNum(expiresAt) && expiresAt > now)
        await jtis.write(hashSecret(jti), { t: 'jti', at: now }, expiresAt - now);
      emit(options.onEvent, { type: 'token-revoked', at: now, userId, jti });
    },
    async setNotBefore(userId) {
      if (typeof userId !== 'string' || userId === '')
        throw new TypeError('setNotBefore: userId must be a non-empty string');
      const now = clock.now();
      // Every token of a family revoked before now was issued before now: the new time covers them.
      await users.write(hashSecret(userId), { t: 'nbf', at: now }, horizon);
      emit(options.onEvent, { type: 'user-tokens-revoked', at: now, userId, notBefore: now });
      return now;
    },
    revokeFamily: async (userId, family, until) => {
      if (
        typeof userId !== 'string' ||
        userId === '' ||
        typeof family !== 'string' ||
        family === ''
      )
        throw new TypeError('revokeFamily: userId and family must be non-empty strings');
      await revokeFamily(userId, family, until);
    },
    notBefore,
    async check({ jti, userId, issuedAt, family }) {
      const [denied, mark] = await Promise.all([
        jti === undefined ? Promise.resolve(null) : jtis.read(hashSecret(jti)),
        users.read(hashSecret(userId)),
      ]);
      const now = clock.now();
      const nb = mark?.value.at ?? 0;
      const families = mark?.value.f;
      const cause: RevocationCause | null =
        denied !== null
          ? 'jti'
          : nb > 0 && issuedAt < nb
            ? 'not-before'
            : family !== undefined && families && (families[hashSecret(family)] ?? 0) > now
              ? 'family'
              : null;
      if (cause)
        emit(options.onEvent, {
          type: 'token-revoked-used',
          at: now,
          userId,
          cause,
          ...(jti === undefined ? {} : { jti }),
          ...(cause === 'family' && family !== undefined ? { family } : {}),
        });
      return cause;
    },
  };
}
