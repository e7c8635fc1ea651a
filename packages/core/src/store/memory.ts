/**
 * An in-process `SessionStore` for tests, development and single-process
 * deployments, with every optional capability so the whole engine runs on it.
 * Time comes only from the injected clock, with no timers; expired entries are
 * invisible at once and reclaimed lazily in bounded steps (docs/stores.md).
 */

import { systemClock, type Clock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
import { StoreError } from '../errors.js';
import { checkExpected, checkString, checkTtl, checkValue } from './checks.js';
import { ExpiryQueue } from './expiry-queue.js';
import type { SessionStore, UserIndex, WriteHint } from './types.js';

const STORE = 'MemoryStore';
/** Most expired entries one operation reclaims in a lazy sweep; the next operation goes on. */
const SWEEP_BATCH = 1_000;

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Source of time for TTLs. Default: the system clock. */
  clock?: Clock;
  /** Bound on records (live ones: expired records are reclaimed first). Default 10 000. */
  maxEntries?: number;
  /**
   * Bound on user-index members across all users. Default: none, because a
   * dumb store cannot tell a member whose session has ended (it lives until
   * its own TTL) from a live one, so any bound would let ended sessions
   * refuse a live login. Members are reclaimed once their TTL passes.
   */
  maxIndexMembers?: number;
  /** Least time between two lazy sweeps of expired entries (ms or e.g. `'1m'`). Default 60 000. */
  sweepInterval?: Duration;
  /**
   * What a full store does with a new key once expired (and evictable)
   * entries are reclaimed: `refuse` (default) rejects the write with a
   * `StoreError`, so the request fails closed; `evict-soonest` drops the live
   * entry closest to expiry. Eviction is only safe when the store holds
   * sessions alone: it can drop a revocation entry (a revoked `jti`, a
   * not-before time, a spent refresh token) and so bring a revoked credential back.
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
 * A new key in a full store first reclaims an expired record, then one whose
 * write said it was evictable by now ({@link WriteHint}), each the one due
 * first, in O(log n); only a store full of live entries refuses the write
 * (fail closed) or, with `whenFull: 'evict-soonest'`, evicts the live entry
 * closest to expiry. Overwrites and deletes always work.
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
  readonly #maxMembers: number;
  readonly #evict: boolean;
  readonly #sweepInterval: number;
  readonly #records = new Map<string, Entry>();
  /** Every record by expiry, and the hinted ones by when they become evictable. */
  readonly #expiry = new ExpiryQueue<string>();
  readonly #evictable = new ExpiryQueue<string>();
  readonly #users = new Map<string, Map<string, number>>();
  /** Every member by expiry, under {@link memberId}. */
  readonly #memberExpiry = new ExpiryQueue<string>();
  #lastSweep: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxEntries = bound('maxEntries', options.maxEntries ?? 10_000);
    this.#maxMembers = bound('maxIndexMembers', options.maxIndexMembers ?? Infinity);
    const interval = toMillis(options.sweepInterval ?? 60_000);
    if (!(interval >= 0)) {
      throw new RangeError(
        `MemoryStore: sweepInterval must be a non-negative duration, got ${String(options.sweepInterval)}`,
      );
    }
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
    return this.#memberExpiry.size;
  }

  /**
   * The value under `key`, or `null` when absent or past its TTL.
   *
   * @example
   * const store = new MemoryStore();
   * await store.set('sess:abc', '{"v":1}', 60_000);
   * await store.get('sess:abc'); // '{"v":1}'
   */
  async get(key: string): Promise<string | null> {
    checkString(STORE, 'key', key);
    return this.#live(key, this.#tick())?.value ?? null;
  }

  /**
   * Write `value` under `key` for `ttlMs` milliseconds. A new key in a full
   * store reclaims an expired or evictable record first (see the class).
   *
   * @example
   * const store = new MemoryStore({ maxEntries: 1000 });
   * await store.set('sess:abc', '{"v":1}', 30 * 60_000);
   */
  async set(key: string, value: string, ttlMs: number, hint?: WriteHint): Promise<void> {
    checkWrite(key, value, ttlMs, hint);
    this.#write(key, value, ttlMs, hint, this.#tick());
  }

  /**
   * Remove `key`; an absent key is not an error.
   *
   * @example
   * const store = new MemoryStore();
   * await store.delete('sess:abc');
   */
  async delete(key: string): Promise<void> {
    checkString(STORE, 'key', key);
    this.#tick();
    this.#dropRecord(key);
  }

  /**
   * Read and delete `key` in one step: the value is returned to one caller
   * only, `null` to everyone after.
   *
   * @example
   * const store = new MemoryStore();
   * await store.set('once', 'token', 60_000);
   * await store.consume('once'); // 'token'
   * await store.consume('once'); // null
   */
  async consume(key: string): Promise<string | null> {
    checkString(STORE, 'key', key);
    const entry = this.#live(key, this.#tick());
    if (!entry) return null;
    this.#dropRecord(key);
    return entry.value;
  }

  /**
   * Write `value` only if the current value is `expected` (`null`: absent or
   * expired); returns whether it wrote.
   *
   * @example
   * const store = new MemoryStore();
   * await store.compareAndSet('k', null, 'v1', 60_000); // true: created
   * await store.compareAndSet('k', 'v0', 'v2', 60_000); // false: the value is 'v1'
   */
  async compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    ttlMs: number,
    hint?: WriteHint,
  ): Promise<boolean> {
    checkWrite(key, value, ttlMs, hint);
    checkExpected(STORE, expected);
    const now = this.#tick();
    // An expired value counts as absent, exactly as `get` would report it.
    if ((this.#live(key, now)?.value ?? null) !== expected) return false;
    this.#write(key, value, ttlMs, hint, now);
    return true;
  }

  /**
   * Remove every expired record and user-index member now, and return how many
   * were removed. Operations do this lazily, in bounded steps; call it yourself
   * to reclaim memory after a quiet period.
   *
   * @example
   * clock.advance('1h');
   * store.sweep(); // e.g. 42
   */
  sweep(): number {
    this.#lastSweep = this.#clock.now();
    return this.#reclaim(this.#lastSweep, Infinity);
  }

  /** Read the clock once per operation; once the interval has passed, reclaim a bounded batch. */
  #tick(): number {
    const now = this.#clock.now();
    // The sweep counts as done only once it has caught up, so a long backlog is spread over calls.
    if (
      now - this.#lastSweep >= this.#sweepInterval &&
      this.#reclaim(now, SWEEP_BATCH) < SWEEP_BATCH
    )
      this.#lastSweep = now;
    return now;
  }

  /** Drop up to `limit` expired records and members, due first; how many were dropped. */
  #reclaim(now: number, limit: number): number {
    let removed = 0;
    for (let due = this.#expiry.peek(); removed < limit && due && due[1] <= now; removed++) {
      this.#dropRecord(due[0]);
      due = this.#expiry.peek();
    }
    for (let due = this.#memberExpiry.peek(); removed < limit && due && due[1] <= now; removed++) {
      this.#dropMember(...memberOf(due[0]));
      due = this.#memberExpiry.peek();
    }
    return removed;
  }

  /** The entry if present and unexpired; an expired one is dropped on sight. */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#records.get(key);
    if (entry && entry.expiresAt <= now) {
      this.#dropRecord(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, ttlMs: number, hint: WriteHint | undefined, now: number) {
    if (!this.#records.has(key) && this.#records.size >= this.#maxEntries) this.#makeRoom(now);
    const expiresAt = now + ttlMs;
    this.#records.set(key, { value, expiresAt });
    this.#expiry.set(key, expiresAt);
    const evictableAfter = hint?.evictableAfterMs;
    if (evictableAfter !== undefined && evictableAfter < ttlMs)
      this.#evictable.set(key, now + evictableAfter);
    else this.#evictable.delete(key);
  }

  /** Free one record's place: an expired one, else one evictable by now, else per `whenFull`. */
  #makeRoom(now: number): void {
    const expired = this.#expiry.peek();
    if (expired && expired[1] <= now) return this.#dropRecord(expired[0]);
    const evictable = this.#evictable.peek();
    if (evictable && evictable[1] <= now) return this.#dropRecord(evictable[0]);
    if (!this.#evict || !expired) throw this.#full(this.#maxEntries, 'records', 'maxEntries');
    this.#dropRecord(expired[0]);
  }

  #dropRecord(key: string): void {
    this.#records.delete(key);
    this.#expiry.delete(key);
    this.#evictable.delete(key);
  }

  #full(max: number, what: string, option: string): StoreError {
    return new StoreError(
      'write',
      `MemoryStore is full: ${max} live ${what} (${option}); refusing the write rather than evicting`,
    );
  }

  #indexAdd(userId: string, member: string, ttlMs: number): void {
    checkString(STORE, 'userId', userId);
    checkString(STORE, 'member', member);
    checkTtl(STORE, ttlMs);
    const now = this.#tick();
    const id = memberId(userId, member);
    if (!this.#users.get(userId)?.has(member) && this.#memberExpiry.size >= this.#maxMembers) {
      const due = this.#memberExpiry.peek();
      if (due && (due[1] <= now || this.#evict)) this.#dropMember(...memberOf(due[0]));
      else throw this.#full(this.#maxMembers, 'user-index members', 'maxIndexMembers');
    }
    let members = this.#users.get(userId);
    if (!members) this.#users.set(userId, (members = new Map()));
    members.set(member, now + ttlMs);
    this.#memberExpiry.set(id, now + ttlMs);
  }

  #indexRemove(userId: string, member: string): void {
    checkString(STORE, 'userId', userId);
    checkString(STORE, 'member', member);
    this.#tick();
    this.#dropMember(userId, member);
  }

  /** Remove one member, and the user's index once it is empty. */
  #dropMember(userId: string, member: string): void {
    const members = this.#users.get(userId);
    if (!members?.delete(member)) return;
    this.#memberExpiry.delete(memberId(userId, member));
    if (members.size === 0) this.#users.delete(userId);
  }

  /** Unexpired members of `userId`, dropping expired ones; with `remove`, every member goes. */
  #indexTake(userId: string, remove: boolean): string[] {
    checkString(STORE, 'userId', userId);
    const now = this.#tick();
    const members = this.#users.get(userId);
    if (!members) return [];
    const live: string[] = [];
    for (const [member, expiresAt] of members) {
      if (expiresAt > now) live.push(member);
      if (remove || expiresAt <= now) this.#dropMember(userId, member);
    }
    return live;
  }
}

/** One queue key per (user, member): the user ID's length first, so no two pairs collide. */
const memberId = (userId: string, member: string): string => `${userId.length}:${userId}${member}`;

function memberOf(id: string): [string, string] {
  const colon = id.indexOf(':');
  const start = colon + 1;
  const end = start + Number(id.slice(0, colon));
  return [id.slice(start, end), id.slice(end)];
}

function bound(option: string, max: number): number {
  if (!(max === Infinity || (Number.isSafeInteger(max) && max >= 1))) {
    throw new RangeError(
      `MemoryStore: ${option} must be an integer of at least 1, got ${String(max)}`,
    );
  }
  return max;
}

function checkWrite(key: string, value: unknown, ttlMs: unknown, hint: unknown): void {
  checkString(STORE, 'key', key);
  checkValue(STORE, value);
  checkTtl(STORE, ttlMs);
  if (hint === undefined) return;
  const after = (hint as WriteHint | null)?.evictableAfterMs;
  if (after !== undefined && !(typeof after === 'number' && after >= 0 && after < Infinity)) {
    throw new RangeError(
      `MemoryStore: hint.evictableAfterMs must be a non-negative finite number of milliseconds, got ${String(after)}`,
    );
  }
}
