/**
 * Single-use WebAuthn challenges kept in the session store: each bound to the
 * session, user and purpose it was issued for, taken with the store's atomic
 * `consume` (of two racing ceremonies exactly one gets it), and followed by a
 * "used" marker so a replay is told apart from a challenge never issued.
 */

import type { PasskeyRefusal } from '../error-body.js';
import { StoreCapabilityError } from '../errors.js';
import { hashSecret, newSecret, type RandomSource } from '../random.js';
import { isNum, TypedStore, type StoreAccess } from '../store/typed-store.js';

/** Which ceremony a challenge is for. */
export type Ceremony = 'authentication' | 'registration';

/** What the store holds under a challenge: `exp` is when it stops being accepted. */
interface Issued {
  t: 'webauthn-challenge';
  c: Ceremony;
  /** The session's public handle, and when the session was created (kept across ID renewals). */
  s: string;
  l: number;
  u: string;
  p: string;
  exp: number;
}
/** Left where a challenge was taken, until its record would have gone. */
interface Used {
  t: 'webauthn-used';
  until: number;
}
type Stored = Issued | Used;

function decode(r: Record<string, unknown>): Stored | null {
  if (r.t === 'webauthn-used') return isNum(r.until) ? (r as unknown as Used) : null;
  if (r.t !== 'webauthn-challenge') return null;
  const ok =
    (r.c === 'authentication' || r.c === 'registration') &&
    typeof r.s === 'string' &&
    isNum(r.l) &&
    typeof r.u === 'string' &&
    typeof r.p === 'string' &&
    isNum(r.exp);
  return ok ? (r as unknown as Issued) : null;
}

/**
 * Whom a challenge must come back from: the session by its handle or, since an
 * ID renewal or regeneration may come between options and response, by its
 * user and creation time (which both keep).
 */
export interface Binding {
  ceremony: Ceremony;
  handle: string;
  createdAt: number;
  userId: string;
  purpose: string;
}

/** @internal The challenges of one `createPasskeys` configuration. */
export class Challenges {
  readonly #records: TypedStore<Stored>;

  constructor(
    private readonly access: StoreAccess,
    prefix: string,
    private readonly random: RandomSource,
    /** How long a challenge is accepted, ms. */
    readonly ttl: number,
  ) {
    if (typeof access.store.consume !== 'function')
      throw new StoreCapabilityError(
        'consume',
        'createPasskeys (single-use WebAuthn challenges)',
        access.store.name,
      );
    this.#records = new TypedStore(access, `${prefix}wa:`, 'WebAuthn challenge', decode);
  }

  /**
   * A new challenge (base64url, 32 random bytes) bound to `binding`. Kept for
   * twice its lifetime, so one presented late is told `challenge_expired`.
   */
  async issue(binding: Binding): Promise<string> {
    const challenge = newSecret(this.random);
    const now = this.access.now();
    const record: Issued = {
      t: 'webauthn-challenge',
      c: binding.ceremony,
      s: binding.handle,
      l: binding.createdAt,
      u: binding.userId,
      p: binding.purpose,
      exp: now + this.ttl,
    };
    // Keyed by the challenge's hash, as sessions are by their ID's: a store dump lists no live challenge.
    await this.#records.write(hashSecret(challenge), record, 2 * this.ttl);
    return challenge;
  }

  /** Take `challenge` once and judge it against `binding`: `null` when it may be used, else why not. */
  async take(challenge: string, binding: Binding): Promise<PasskeyRefusal | null> {
    const id = hashSecret(challenge);
    const taken = await this.#records.consume(id);
    if (taken === null) return 'challenge_unknown';
    const now = this.access.now();
    const record = taken.value;
    if (record.t === 'webauthn-used') {
      await this.#records.write(id, record, Math.max(1, record.until - now));
      return 'challenge_replayed';
    }
    const used: Used = { t: 'webauthn-used', until: record.exp + this.ttl };
    await this.#records.write(id, used, Math.max(1, used.until - now));
    const sameSession = record.s === binding.handle || record.l === binding.createdAt;
    if (!sameSession || record.u !== binding.userId) return 'challenge_session_mismatch';
    if (record.c !== binding.ceremony || record.p !== binding.purpose)
      return 'challenge_purpose_mismatch';
    if (now >= record.exp) return 'challenge_expired';
    return null;
  }
}
