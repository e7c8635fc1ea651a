/**
 * The store contract. Stores are dumb: they move strings with a TTL. Optional
 * capabilities are declared by the store and required explicitly by the
 * feature that needs them (a `StoreCapabilityError` otherwise).
 */

/**
 * A key-value store with a TTL on every write.
 *
 * Every method may reject; the engine turns a rejection into a `StoreError`
 * and fails closed.
 *
 * @example
 * const store: SessionStore = new MemoryStore({ clock });
 * await store.set('sess:abc', '{"v":1}', 60_000);
 */
export interface SessionStore {
  /** A short name for messages, e.g. `memory`, `redis`, `workers-kv`. */
  readonly name: string;
  /** The value, or `null` when absent or past its TTL. */
  get(key: string): Promise<string | null>;
  /** Write `value`; it must be gone (never returned again) once `ttlMs` milliseconds have passed. `ttlMs` is always positive. */
  set(key: string, value: string, ttlMs: number, hint?: WriteHint): Promise<void>;
  /** Remove `key`; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Optional: a per-user index of members (session keys), for listing and revoke-all. */
  readonly userIndex?: UserIndex;
  /**
   * Optional: atomically read and remove `key`. Of any number of concurrent
   * callers, exactly one receives the value; the others receive `null`.
   * Needed by token rotation (refresh tokens, remember-me).
   */
  consume?(key: string): Promise<string | null>;
  /**
   * Optional: atomically write `value` only if the current value equals
   * `expected` (`null` meaning absent). Resolves `true` when written.
   * Gives strict last-writer protection to session versions; without it the
   * engine re-reads before writing, which narrows but does not close the race.
   */
  compareAndSet?(
    key: string,
    expected: string | null,
    value: string,
    ttlMs: number,
    hint?: WriteHint,
  ): Promise<boolean>;
}

/**
 * A write's optional hint, which a store may ignore: after `evictableAfterMs`
 * the entry is kept only as a courtesy (a session past its deadline, kept for
 * `expiryNotice` so a returning user learns why), so a full store may drop it
 * to make room even when it otherwise refuses new keys.
 */
export interface WriteHint {
  evictableAfterMs?: number;
}

/**
 * A per-user set of members, each with its own expiry, so the index never
 * outlives the sessions it points to (connect-redis#251 leaked exactly this).
 */
export interface UserIndex {
  /** Add or refresh `member` under `userId`, expiring after `ttlMs`. */
  add(userId: string, member: string, ttlMs: number): Promise<void>;
  /** Members under `userId` that have not expired, in no particular order. */
  list(userId: string): Promise<string[]>;
  /** Remove one member; absent members are ignored. */
  remove(userId: string, member: string): Promise<void>;
  /** Remove every member of `userId` and return the ones that were there and unexpired. */
  removeAll(userId: string): Promise<string[]>;
}

/** Names of optional store capabilities, as features require them. */
export type StoreCapability = 'userIndex' | 'consume' | 'compareAndSet';

/**
 * Which optional capabilities a store provides.
 *
 * @example
 * const store = new MemoryStore();
 * storeCapabilities(store); // { userIndex: true, consume: true, compareAndSet: true }
 */
export function storeCapabilities(store: SessionStore): Record<StoreCapability, boolean> {
  return {
    userIndex: store.userIndex !== undefined,
    consume: typeof store.consume === 'function',
    compareAndSet: typeof store.compareAndSet === 'function',
  };
}
