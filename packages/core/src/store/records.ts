/**
 * The engine's typed view of a dumb store: session records under hashed
 * keys, the per-user index, and version-safe writes. Every store failure
 * becomes a `StoreError` (and a `store-error` event), so an app can tell
 * "the store is down" from "the session is gone" and fail closed.
 */

import { StoreCapabilityError } from '../errors.js';
import type { EventSink } from '../events.js';
import { decodeRecord, encodeRecord, type StoredRecord } from '../record.js';
import type { SessionStore, UserIndex } from './types.js';
import { guardStore } from './guard.js';

/** A record read from the store, with the exact bytes read (for compare-and-set). */
export interface ReadRecord<Data> {
  raw: string;
  record: StoredRecord<Data>;
}

export class Records<Data> {
  constructor(
    readonly store: SessionStore,
    private readonly prefix: string,
    private readonly now: () => number,
    private readonly sink: EventSink | undefined,
  ) {}

  key(handle: string): string {
    return `${this.prefix}s:${handle}`;
  }

  private run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return guardStore(operation, fn, this.now, this.sink);
  }

  /** Read and decode; a value that is not ours fails closed as a `decode` store error. */
  async read(handle: string): Promise<ReadRecord<Data> | null> {
    const raw = await this.run('read', () => this.store.get(this.key(handle)));
    if (raw === null || raw === undefined) return null;
    const record = decodeRecord<Data>(raw);
    if (!record)
      return this.run('decode', () =>
        Promise.reject(new Error(`value under ${this.key(handle)} is not a Latchkey record`)),
      );
    return { raw, record };
  }

  write(handle: string, record: StoredRecord<Data>, ttlMs: number): Promise<void> {
    return this.run('write', () =>
      this.store.set(this.key(handle), encodeRecord(record), Math.max(1, Math.ceil(ttlMs))),
    );
  }

  delete(handle: string): Promise<void> {
    return this.run('delete', () => this.store.delete(this.key(handle)));
  }

  /**
   * Write `next` only if the stored value is still `expectedRaw`. Uses the
   * store's atomic compare-and-set when it has one; otherwise re-reads and
   * compares, which narrows the race to the gap between two calls.
   */
  async replace(
    handle: string,
    expectedRaw: string | null,
    next: StoredRecord<Data>,
    ttlMs: number,
  ): Promise<boolean> {
    const key = this.key(handle);
    const value = encodeRecord(next);
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const { store } = this;
    if (store.compareAndSet) {
      return this.run('write', () => store.compareAndSet!(key, expectedRaw, value, ttl));
    }
    const current = await this.run('read', () => store.get(key));
    if ((current ?? null) !== expectedRaw) return false;
    await this.run('write', () => store.set(key, value, ttl));
    return true;
  }

  /** The per-user index, or a `StoreCapabilityError` naming the feature that needed it. */
  index(feature: string): UserIndex {
    const index = this.store.userIndex;
    if (!index) throw new StoreCapabilityError('userIndex', feature, this.store.name);
    return index;
  }

  hasIndex(): boolean {
    return this.store.userIndex !== undefined;
  }

  indexAdd(userId: string, handle: string, ttlMs: number): Promise<void> {
    const index = this.store.userIndex;
    if (!index) return Promise.resolve();
    return this.run('index', () => index.add(userId, handle, Math.max(1, Math.ceil(ttlMs))));
  }

  indexRemove(userId: string, handle: string): Promise<void> {
    const index = this.store.userIndex;
    if (!index) return Promise.resolve();
    return this.run('index', () => index.remove(userId, handle));
  }

  indexList(userId: string, feature: string): Promise<string[]> {
    const index = this.index(feature);
    return this.run('index', () => index.list(userId));
  }

  indexRemoveAll(userId: string, feature: string): Promise<string[]> {
    const index = this.index(feature);
    return this.run('index', () => index.removeAll(userId));
  }
}
