/**
 * DBSC challenges: random, single-use, short-lived, and at most two outstanding per session
 * (the current and the immediately previous one, since refreshes race). Stored by hash; a
 * challenge is spent with the store's atomic `consume`, so of two racing proofs one wins.
 */
import { hashSecret, newSecret, type RandomSource } from '../random.js';
import { TypedStore, type StoreAccess } from '../store/typed-store.js';

/** What a challenge was issued for: a registration (of the session under `h`) or a refresh (of DBSC session `sid`). */
export type ChallengeFor = { k: 'reg'; h: string } | { k: 'ref'; sid: string };

const isChallenge = (r: Record<string, unknown>): ChallengeFor | null =>
  (r.k === 'reg' && typeof r.h === 'string') || (r.k === 'ref' && typeof r.sid === 'string')
    ? (r as unknown as ChallengeFor)
    : null;
const isList = (r: Record<string, unknown>): { c: string[] } | null =>
  Array.isArray(r.c) && r.c.every((x) => typeof x === 'string') ? (r as { c: string[] }) : null;

/** @internal The challenge ledger of one device binding. */
export class Challenges {
  readonly #byHash: TypedStore<ChallengeFor>;
  readonly #outstanding: TypedStore<{ c: string[] }>;

  constructor(
    access: StoreAccess,
    prefix: string,
    private readonly random: RandomSource,
    private readonly lifetime: number,
  ) {
    this.#byHash = new TypedStore(access, `${prefix}dbsc:c:`, 'DBSC challenge', isChallenge);
    this.#outstanding = new TypedStore(access, `${prefix}dbsc:l:`, 'DBSC challenge list', isList);
  }

  /** A registration challenge for the session under `handle`. */
  async forRegistration(handle: string): Promise<string> {
    const challenge = newSecret(this.random);
    await this.#byHash.write(hashSecret(challenge), { k: 'reg', h: handle }, this.lifetime);
    return challenge;
  }

  /** A new refresh challenge for DBSC session `sid`; the one before it stays valid, older ones die. */
  async forRefresh(sid: string): Promise<string> {
    const challenge = newSecret(this.random);
    const hash = hashSecret(challenge);
    await this.#byHash.write(hash, { k: 'ref', sid }, this.lifetime);
    const list = (await this.#outstanding.read(sid))?.value.c ?? [];
    const kept = [...list, hash];
    // Two racing issuers may both keep their own; the one dropped here still dies at its TTL.
    for (const old of kept.splice(0, Math.max(0, kept.length - 2))) await this.#byHash.delete(old);
    await this.#outstanding.write(sid, { c: kept }, this.lifetime);
    return challenge;
  }

  /** Spend `challenge` (atomically: exactly one caller gets it), or `null` when unknown, spent or expired. */
  async spend(challenge: unknown): Promise<ChallengeFor | null> {
    if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 256)
      return null;
    return (await this.#byHash.consume(hashSecret(challenge)))?.value ?? null;
  }
}
