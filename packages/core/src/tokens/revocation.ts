/**
 * Revocation for self-contained tokens (ASVS 5.0 V7.4.1): a `jti` denylist
 * kept until each token's own expiry, and a per-user not-before time for
 * "log out everywhere".
 */

import { type Clock, systemClock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
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
}

/** Revocation of stateless tokens. */
export interface Revocation {
  /** Deny one token by its `jti` until `expiresAt` (its `exp`, in ms), then forget it. */
  revokeJti(jti: string, expiresAt: number, userId?: string | null): Promise<void>;
  /** Log a user out everywhere: tokens and sealed sessions issued before now are refused from now on. Returns the not-before time. */
  setNotBefore(userId: string): Promise<number>;
  /** The user's not-before time in ms, or `null`. One store read. */
  notBefore(userId: string): Promise<number | null>;
  /** `null` when the token may be used, else why not (and a `token-revoked-used` event is emitted). Store reads run in parallel. */
  check(subject: RevocationSubject): Promise<'jti' | 'not-before' | null>;
}

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
  // Keyed by hashes: a store dump names no token and no user.
  const jtis = new TypedStore(access, `${prefix}jti:`, 'revoked token', markOf('jti'));
  const notBefores = new TypedStore(access, `${prefix}nbf:`, 'not-before time', markOf('nbf'));

  async function notBefore(userId: string): Promise<number | null> {
    const read = await notBefores.read(hashSecret(userId));
    return read ? read.value.at : null;
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
      await notBefores.write(hashSecret(userId), { t: 'nbf', at: now }, horizon);
      emit(options.onEvent, { type: 'user-tokens-revoked', at: now, userId, notBefore: now });
      return now;
    },
    notBefore,
    async check({ jti, userId, issuedAt }) {
      const [denied, nb] = await Promise.all([
        jti === undefined ? Promise.resolve(null) : jtis.read(hashSecret(jti)),
        notBefore(userId),
      ]);
      const cause = denied !== null ? 'jti' : nb !== null && issuedAt < nb ? 'not-before' : null;
      if (cause)
        emit(options.onEvent, {
          type: 'token-revoked-used',
          at: clock.now(),
          userId,
          cause,
          ...(jti === undefined ? {} : { jti }),
        });
      return cause;
    },
  };
}
