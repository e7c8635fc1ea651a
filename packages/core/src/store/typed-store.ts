/**
 * The engine's one typed view of a dumb store: a namespace of keys holding
 * one kind of JSON record, with fail-closed errors, TTL rounding, consume and
 * compare-and-set. Sessions, remembered logins, refresh tokens and
 * revocations each get a `TypedStore`; the user index gets a `GuardedIndex`.
 */

import { StoreCapabilityError, StoreError, StoreTimeoutError } from '../errors.js';
import { emit, type EventSink } from '../events.js';
import type { StoreDeadline } from './deadline.js';
import type { SessionStore, UserIndex, WriteHint } from './types.js';

/** Stores known to offer atomic consume-once or compare-and-set, for error messages. */
export const ATOMIC_STORES =
  'the memory store, Redis, Deno KV and Durable Objects (and the SQL stores) provide it; Workers KV (eventually consistent) and plain unstorage drivers (no compare-and-swap, unjs/unstorage#152) do not';

/** A positive whole number of milliseconds, as every store is promised. */
export const ttl = (ms: number): number => Math.max(1, Math.ceil(ms));

/**
 * The guarded store: every call that rejects becomes a `StoreError` naming the
 * operation, after a `store-error` event, so an app can tell "the store is
 * down" from "the session is gone"; with a deadline, a call that does not
 * settle in time becomes a `StoreTimeoutError` the same way.
 */
export class StoreAccess {
  constructor(
    readonly store: SessionStore,
    readonly now: () => number,
    readonly sink: EventSink | undefined,
    readonly deadline?: StoreDeadline,
    /**
     * Put before every user ID in the user index: an engine's `keyPrefix`
     * other than the default, so two apps sharing a store keep apart their
     * indexes too (each drops index members it cannot resolve, which would
     * otherwise be the other app's sessions).
     */
    readonly indexPrefix = '',
  ) {}

  /** A `StoreAccess` for a store given by the caller, refusing anything that is not a store. */
  static checked(
    store: SessionStore,
    now: () => number,
    sink: EventSink | undefined,
    deadline?: StoreDeadline,
  ): StoreAccess {
    if (
      !store ||
      typeof store.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function'
    )
      throw new TypeError('store: expected a SessionStore with get, set and delete');
    return new StoreAccess(store, now, sink, deadline);
  }

  /** Run one store operation; a failure or a missed deadline is rethrown as `StoreError` after a `store-error` event. */
  async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const deadline = this.deadline;
    try {
      if (!deadline) return await fn();
      return await deadline.guard(
        Promise.resolve(fn()),
        () => new StoreTimeoutError(operation, deadline.ms),
      );
    } catch (cause) {
      throw this.fail(operation, cause);
    }
  }

  /** The `StoreError` for `cause`, reported once as a `store-error` event. */
  fail(operation: string, cause: unknown): StoreError {
    const message = cause instanceof Error ? cause.message : String(cause);
    const error =
      cause instanceof StoreError ? cause : new StoreError(operation, message, { cause });
    emit(this.sink, { type: 'store-error', at: this.now(), operation, code: error.code, message });
    return error;
  }

  get hasCompareAndSet(): boolean {
    return typeof this.store.compareAndSet === 'function';
  }

  /** Refuse, at construction, a feature on a store without atomic consume-once or compare-and-set. */
  requireAtomic(feature: string): void {
    if (this.hasCompareAndSet || typeof this.store.consume === 'function') return;
    const error = new StoreCapabilityError('consume', feature, this.store.name);
    error.message =
      `${feature} needs a store with atomic consume-once ('consume') or 'compareAndSet', so that exactly one of two ` +
      `concurrent uses of a token wins; ${this.store.name} provides neither (${ATOMIC_STORES})`;
    throw error;
  }

  /** The user index, guarded; a `StoreCapabilityError` naming `feature` when the store has none. */
  index(feature: string): GuardedIndex {
    const index = this.store.userIndex;
    if (!index) throw new StoreCapabilityError('userIndex', feature, this.store.name);
    return new GuardedIndex(this, index, this.indexPrefix);
  }

  /** The user index when the store has one, for writes that keep it current if it exists. */
  get optionalIndex(): GuardedIndex | undefined {
    const index = this.store.userIndex;
    return index ? new GuardedIndex(this, index, this.indexPrefix) : undefined;
  }
}

/** The per-user index, every call guarded like the store's. */
export class GuardedIndex {
  constructor(
    private readonly access: StoreAccess,
    private readonly index: UserIndex,
    private readonly prefix: string,
  ) {}
  add(userId: string, member: string, ttlMs: number): Promise<void> {
    const user = this.prefix + userId;
    return this.access.run('index', () => this.index.add(user, member, ttl(ttlMs)));
  }
  remove(userId: string, member: string): Promise<void> {
    const user = this.prefix + userId;
    return this.access.run('index', () => this.index.remove(user, member));
  }
  list(userId: string): Promise<string[]> {
    const user = this.prefix + userId;
    return this.access.run('index', () => this.index.list(user));
  }
}

/** How one kind of record is recognised: `null` for a value that is not one. */
export type Decoder<T> = (value: Record<string, unknown>) => T | null;

/** A value read, with the exact bytes read (what compare-and-set compares). */
export interface Read<T> {
  raw: string;
  value: T;
}

/**
 * Records of one kind under `namespace`. A value that is not one of ours
 * fails closed as a `decode` store error: a store that hands back garbage is
 * reported, never trusted.
 */
export class TypedStore<T> {
  constructor(
    readonly access: StoreAccess,
    readonly namespace: string,
    private readonly kind: string,
    private readonly decoder: Decoder<T>,
  ) {}

  key(id: string): string {
    return this.namespace + id;
  }

  decode(id: string, raw: string): T {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = null;
    }
    const value =
      parsed !== null && typeof parsed === 'object'
        ? this.decoder(parsed as Record<string, unknown>)
        : null;
    if (value === null)
      throw this.access.fail(
        'decode',
        new Error(`value under ${this.key(id)} is not a Latchkey ${this.kind}`),
      );
    return value;
  }

  async read(id: string): Promise<Read<T> | null> {
    const { store } = this.access;
    const raw = await this.access.run('read', () => store.get(this.key(id)));
    if (raw === null || raw === undefined) return null;
    return { raw, value: this.decode(id, raw) };
  }

  /** Write `value`; returns the bytes written (for a later compare-and-set). */
  async write(id: string, value: T, ttlMs: number, hint?: WriteHint): Promise<string> {
    const raw = JSON.stringify(value);
    const { store } = this.access;
    const key = this.key(id);
    await this.access.run('write', () =>
      hint ? store.set(key, raw, ttl(ttlMs), hint) : store.set(key, raw, ttl(ttlMs)),
    );
    return raw;
  }

  delete(id: string): Promise<void> {
    const { store } = this.access;
    return this.access.run('delete', () => store.delete(this.key(id)));
  }

  /** Atomically read and remove; needs a store with `consume`. */
  async consume(id: string): Promise<Read<T> | null> {
    const { store } = this.access;
    const raw = await this.access.run(
      'consume',
      async () => (await store.consume!(this.key(id))) ?? null,
    );
    return raw === null ? null : { raw, value: this.decode(id, raw) };
  }

  /**
   * Write `next` only if the stored bytes are still `expectedRaw` (`null`:
   * absent). Atomic where the store has compare-and-set; otherwise a re-read
   * and compare, which narrows the race to the gap between two calls.
   * Resolves to the bytes written, or `null` when another writer got in first.
   */
  async replace(
    id: string,
    expectedRaw: string | null,
    next: T,
    ttlMs: number,
    hint?: WriteHint,
  ): Promise<string | null> {
    const key = this.key(id);
    const raw = JSON.stringify(next);
    const { store } = this.access;
    if (store.compareAndSet) {
      const cas = store.compareAndSet.bind(store);
      const written = () =>
        hint
          ? cas(key, expectedRaw, raw, ttl(ttlMs), hint)
          : cas(key, expectedRaw, raw, ttl(ttlMs));
      return (await this.access.run('write', written)) ? raw : null;
    }
    const current = await this.access.run('read', () => store.get(key));
    if ((current ?? null) !== expectedRaw) return null;
    await this.access.run('write', () =>
      hint ? store.set(key, raw, ttl(ttlMs), hint) : store.set(key, raw, ttl(ttlMs)),
    );
    return raw;
  }
}

/** A finite number, as decoders check fields. */
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
