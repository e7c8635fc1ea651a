/**
 * An in-process `SessionStore` for tests, development and single-process
 * deployments, with every optional capability so the whole engine runs on it.
 *
 * Time comes only from the injected clock and there are no timers (the core
 * must not hold an event loop open): an entry is invisible the moment its TTL
 * passes, and expired entries are swept lazily, at most once per
 * `sweepInterval`, by whichever operation comes next.
 *
 * Atomicity: no method awaits between its check and its write, so on one JS
 * event loop each is a critical section; that makes `consume` and
 * `compareAndSet` atomic.
 */

import { systemClock, type Clock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
import { StoreError } from '../errors.js';
import { checkExpected, checkString, checkTtl, checkValue } from './checks.js';
import type { SessionStore, UserIndex } from './types.js';

const STORE = 'MemoryStore';

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Source of time for TTLs. Default: the system clock. */
  clock?: Clock;
  /** Bound on records, and separately on user-index members; see eviction on {@link MemoryStore}. Default 10 000. */
  maxEntries?: number;
  /** Least time between two lazy sweeps of expired entries (ms or e.g. `'1m'`). Default 60 000. */
  sweepInterval?: Duration;
  /**
   * What a full store does with a new key once expired entries are swept:
   * `refuse` (default) rejects the write with a `StoreError`, so the request
   * fails closed; `evict-soonest` drops the live entry closest to expiry.
   * Eviction is only safe when the store holds sessions alone: it can drop a
   * revocation entry (a revoked `jti`, a not-before time, a spent refresh
   * token) and so bring a revoked credential back.
   */
  whenFull?: 'refuse' | 'evict-soonest';
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * A bounded, timer-free, in-memory {@link SessionStore}.
 *
 * When a new key (or member) would exceed `maxEntries`, expired entries are
 * swept; if still full, the write is refused with a `StoreError` (fail
 * closed), or with `whenFull: 'evict-soonest'` the live entry closest to
 * expiry is evicted: of all the sessions a full store could drop, that one had
 * the least time left. Overwrites and deletes always work. The scan is
 * linear, paid only when full.
 *
 * @example
 * const clock = new ManualClock();
 * const store = new MemoryStore({ clock, maxEntries: 1000 });
 * await store.set('sess:abc', '{"v":1}', 60_000);
 * clock.advance('2m');
 * await store.get('sess:abc'); // null
 */
export class MemoryStore implements SessionStore {
  readonly name = 'memory';
  /** Per-user members, each with its own expiry; a user's entry is dropped once empty. */
  readonly userIndex: UserIndex;
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #evict: boolean;
  readonly #sweepInterval: number;
  readonly #records = new Map<string, Entry>();
  readonly #users = new Map<string, Map<string, number>>();
  #memberCount = 0;
  #lastSweep: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const max = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(
        `MemoryStore: maxEntries must be an integer of at least 1, got ${String(max)}`,
      );
    }
    const interval = toMillis(options.sweepInterval ?? 60_000);
    if (!(interval >= 0)) {
      throw new RangeError(
        `MemoryStore: sweepInterval must be a non-negative duration, got ${String(options.sweepInterval)}`,
      );
    }
    this.#maxEntries = max;
    if (
      options.whenFull !== undefined &&
      options.whenFull !== 'refuse' &&
      options.whenFull !== 'evict-soonest'
    ) {
      throw new TypeError(
        `MemoryStore: whenFull must be 'refuse' or 'evict-soonest', got ${String(options.whenFull)}`,
      );
    }
    this.#evict = options.whenFull === 'evict-soonest';
    this.#sweepInterval = interval;
    this.#lastSweep = this.#clock.now();
    this.userIndex = {
      add: async (userId, member, ttlMs) => this.#indexAdd(userId, member, ttlMs),
      list: async (userId) => this.#indexTake(userId, false),
      remove: async (userId, member) => this.#indexRemove(userId, member),
      removeAll: async (userId) => this.#indexTake(userId, true),
    };
  }

  /** Records held, including expired ones not yet swept. For tests and metrics. */
  get size(): number {
    return this.#records.size;
  }

  /** User-index members held across all users, including expired ones not yet swept. */
  get indexSize(): number {
    return this.#memberCount;
  }

  async get(key: string): Promise<string | null> {
    checkString(STORE, 'key', key);
    return this.#live(key, this.#tick())?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkWrite(key, value, ttlMs);
    this.#write(key, value, ttlMs, this.#tick());
  }

  async delete(key: string): Promise<void> {
    checkString(STORE, 'key', key);
    this.#tick();
    this.#records.delete(key);
  }

  async consume(key: string): Promise<string | null> {
    checkString(STORE, 'key', key);
    const entry = this.#live(key, this.#tick());
    if (!entry) return null;
    this.#records.delete(key);
    return entry.value;
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    ttlMs: number,
  ): Promise<boolean> {
    checkWrite(key, value, ttlMs);
    checkExpected(STORE, expected);
    const now = this.#tick();
    // An expired value counts as absent, exactly as `get` would report it.
    if ((this.#live(key, now)?.value ?? null) !== expected) return false;
    this.#write(key, value, ttlMs, now);
    return true;
  }

  /**
   * Remove every expired record and user-index member now, and return how many
   * were removed. Operations call this lazily; call it yourself to reclaim
   * memory after a quiet period.
   *
   * @example
   * clock.advance('1h');
   * store.sweep(); // e.g. 42
   */
  sweep(): number {
    const now = this.#clock.now();
    this.#lastSweep = now;
    let removed = 0;
    for (const [key, entry] of this.#records) {
      if (entry.expiresAt <= now && this.#records.delete(key)) removed++;
    }
    for (const [[userId, member], expiresAt] of this.#allMembers()) {
      if (expiresAt <= now && this.#dropMember(userId, member)) removed++;
    }
    return removed;
  }

  /** Read the clock once per operation and sweep if the interval has passed. */
  #tick(): number {
    const now = this.#clock.now();
    if (now - this.#lastSweep >= this.#sweepInterval) this.sweep();
    return now;
  }

  /** The entry if present and unexpired; an expired one is dropped on sight. */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#records.get(key);
    if (entry && entry.expiresAt <= now) {
      this.#records.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, ttlMs: number, now: number): void {
    if (!this.#records.has(key) && this.#records.size >= this.#maxEntries) {
      this.sweep();
      if (this.#records.size >= this.#maxEntries) {
        if (!this.#evict) throw this.#full('records');
        const victim = soonest(this.#records, (e) => e.expiresAt);
        if (victim) this.#records.delete(victim[0]);
      }
    }
    this.#records.set(key, { value, expiresAt: now + ttlMs });
  }

  #full(what: string): StoreError {
    return new StoreError(
      'write',
      `MemoryStore is full: ${this.#maxEntries} live ${what} (maxEntries); refusing the write rather than evicting`,
    );
  }

  #indexAdd(userId: string, member: string, ttlMs: number): void {
    checkString(STORE, 'userId', userId);
    checkString(STORE, 'member', member);
    checkTtl(STORE, ttlMs);
    const now = this.#tick();
    if (!this.#users.get(userId)?.has(member) && this.#memberCount >= this.#maxEntries) {
      this.sweep();
      if (this.#memberCount >= this.#maxEntries) {
        if (!this.#evict) throw this.#full('user-index members');
        const victim = soonest(this.#allMembers(), (at) => at);
        if (victim) this.#dropMember(...victim[0]);
      }
    }
    let members = this.#users.get(userId);
    if (!members) this.#users.set(userId, (members = new Map()));
    if (!members.has(member)) this.#memberCount++;
    members.set(member, now + ttlMs);
  }

  #indexRemove(userId: string, member: string): void {
    checkString(STORE, 'userId', userId);
    checkString(STORE, 'member', member);
    this.#tick();
    this.#dropMember(userId, member);
  }

  /** Remove one member, and the user's index once it is empty; true if it was there. */
  #dropMember(userId: string, member: string): boolean {
    const members = this.#users.get(userId);
    const had = members?.delete(member) ?? false;
    if (had) this.#memberCount--;
    if (members?.size === 0) this.#users.delete(userId);
    return had;
  }

  /** Unexpired members of `userId`; with `remove`, the user's index is dropped too. */
  #indexTake(userId: string, remove: boolean): string[] {
    checkString(STORE, 'userId', userId);
    const now = this.#tick();
    const members = this.#users.get(userId);
    if (!members) return [];
    const live: string[] = [];
    for (const [member, expiresAt] of members) {
      if (expiresAt > now) live.push(member);
      else if (!remove) this.#dropMember(userId, member);
    }
    if (remove) {
      this.#memberCount -= members.size;
      this.#users.delete(userId);
    }
    return live;
  }

  /** Every member as `[[userId, member], expiresAt]`; safe to drop members while iterating. */
  *#allMembers(): Generator<[[string, string], number]> {
    for (const [userId, members] of this.#users) {
      for (const [member, expiresAt] of members) yield [[userId, member], expiresAt];
    }
  }
}

/** The pair whose expiry comes first: the eviction victim. A linear scan, run only when full. */
function soonest<K, V>(pairs: Iterable<[K, V]>, at: (v: V) => number): [K, V] | undefined {
  let best: [K, V] | undefined;
  for (const pair of pairs) if (!best || at(pair[1]) < at(best[1])) best = pair;
  return best;
}

function checkWrite(key: string, value: unknown, ttlMs: unknown): void {
  checkString(STORE, 'key', key);
  checkValue(STORE, value);
  checkTtl(STORE, ttlMs);
}
