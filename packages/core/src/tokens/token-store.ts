/**
 * Internal: the token features' typed view of a dumb store. Keys are built
 * from hashes (a store dump yields no usable token), values are small JSON
 * records checked on read, and every store failure becomes a `StoreError`
 * and a `store-error` event, so the token flows fail closed exactly like
 * server-side sessions do.
 */

import { StoreCapabilityError, StoreError } from '../errors.js';
import { emit, type EventSink } from '../events.js';
import type { SessionStore } from '../store/types.js';
import { guardStore } from '../store/guard.js';

/** Stores known to offer atomic consume-once or compare-and-set, for error messages. */
export const ATOMIC_STORES =
  'the memory store, Redis, Deno KV and Durable Objects provide it; Workers KV (eventually consistent) and plain unstorage drivers (no compare-and-swap, unjs/unstorage#152) do not';

export class TokenStore {
  constructor(
    readonly store: SessionStore,
    readonly prefix: string,
    private readonly now: () => number,
    private readonly sink: EventSink | undefined,
  ) {
    if (
      !store ||
      typeof store.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function'
    ) {
      throw new TypeError('store: expected a SessionStore with get, set and delete');
    }
  }

  /** Refuse, at construction, a store that cannot do atomic consume-once or compare-and-set. */
  requireAtomic(feature: string): void {
    if (typeof this.store.compareAndSet === 'function' || typeof this.store.consume === 'function')
      return;
    const error = new StoreCapabilityError('consume', feature, this.store.name);
    error.message =
      `${feature} needs a store with atomic consume-once ('consume') or 'compareAndSet', so that exactly one of two ` +
      `concurrent uses of a token wins; ${this.store.name} provides neither (${ATOMIC_STORES})`;
    throw error;
  }

  run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return guardStore(operation, fn, this.now, this.sink);
  }

  get(key: string): Promise<string | null> {
    return this.run('read', async () => (await this.store.get(key)) ?? null);
  }

  /** Read and parse; a value that is not a JSON object of the expected kind fails closed as a `decode` store error. */
  async read<T>(
    key: string,
    valid: (v: Record<string, unknown>) => boolean,
  ): Promise<{ raw: string; value: T } | null> {
    const raw = await this.get(key);
    if (raw === null) return null;
    return { raw, value: this.decode<T>(key, raw, valid) };
  }

  decode<T>(key: string, raw: string, valid: (v: Record<string, unknown>) => boolean): T {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = null;
    }
    if (value === null || typeof value !== 'object' || !valid(value as Record<string, unknown>)) {
      const message = `value under ${key} is not a Latchkey token record`;
      emit(this.sink, {
        type: 'store-error',
        at: this.now(),
        operation: 'decode',
        code: StoreError.code,
        message,
      });
      throw new StoreError('decode', message);
    }
    return value as T;
  }

  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    return this.run('write', () =>
      this.store.set(key, JSON.stringify(value), Math.max(1, Math.ceil(ttlMs))),
    );
  }

  delete(key: string): Promise<void> {
    return this.run('delete', () => this.store.delete(key));
  }

  consume(key: string): Promise<string | null> {
    const { store } = this;
    return this.run('consume', async () => (await store.consume!(key)) ?? null);
  }

  compareAndSet(
    key: string,
    expected: string | null,
    value: unknown,
    ttlMs: number,
  ): Promise<boolean> {
    const { store } = this;
    return this.run('write', () =>
      store.compareAndSet!(key, expected, JSON.stringify(value), Math.max(1, Math.ceil(ttlMs))),
    );
  }
}

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
