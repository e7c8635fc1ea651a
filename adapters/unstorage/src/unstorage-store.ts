/**
 * A `SessionStore` over any unstorage `Storage` (memory, fs, Redis, KV, …).
 * Each value is core's `{ v, e }` envelope: exact expiry on drivers whose TTL
 * is whole seconds or absent, and values back byte for byte (unstorage would
 * parse a JSON-looking string). No capabilities: unstorage has no atomic
 * operations (unjs/unstorage#152). See docs/stores.md.
 */

import {
  checkString,
  checkTtl,
  checkValue,
  envelope,
  openEnvelope,
  parseEnvelope,
  systemClock,
  type Clock,
  type Envelope,
  type SessionStore,
} from '@latchkey/core/store';
import { storageKey } from './storage-key.js';

const who = 'unstorageStore';

/**
 * The part of an unstorage `Storage` (`createStorage()`) the store uses.
 * Declared here, not imported: unstorage's types import every driver's
 * optional dependency, which fails a project that checks its libraries
 * (`skipLibCheck: false`).
 */
export interface UnstorageLike {
  getItem(key: string): Promise<unknown>;
  setItem(key: string, value: Envelope, options: { ttl: number }): Promise<void>;
  removeItem(key: string): Promise<void>;
  getKeys(base: string): Promise<string[]>;
  getMount?(key: string): { driver?: { name?: string } } | undefined;
}

/** Options for {@link unstorageStore}. */
export interface UnstorageStoreOptions {
  /**
   * Key segment every record lives under, so `sweep()` and other apps sharing
   * the storage stay apart. Default `'latchkey'`; `''` for none.
   */
  base?: string;
  /** Source of time for envelope expiry. Default: the system clock. */
  clock?: Clock;
}

/** Options for {@link UnstorageSessionStore.sweep}. */
export interface SweepOptions {
  /** Most keys read in one call, so a sweep's cost is bounded. Default 1000. */
  limit?: number;
}

/** The store returned by {@link unstorageStore}. */
export interface UnstorageSessionStore extends SessionStore {
  /**
   * Delete expired records under `base` that nobody has read since they
   * expired, and resolve how many were deleted. Drivers without native TTL
   * (memory, fs, …) never reclaim such keys otherwise: run this periodically
   * there (the fs driver should not run in production without it). Reads at
   * most `limit` keys, though the driver lists every key under `base` to pick
   * them; successive calls continue where the last one stopped.
   */
  sweep(options?: SweepOptions): Promise<number>;
}

/**
 * A {@link SessionStore} over an unstorage `Storage`. Expiry is exact to the
 * millisecond by the injected clock (app servers' clocks, so keep them in
 * sync); drivers with native TTL also drop keys themselves, within a second.
 * Declares no optional capabilities.
 *
 * @example
 * import { createStorage } from 'unstorage';
 * import fsDriver from 'unstorage/drivers/fs';
 * const store = unstorageStore(createStorage({ driver: fsDriver({ base: './.sessions' }) }));
 * setInterval(() => void store.sweep(), 60_000).unref(); // fs never expires keys by itself
 * const latchkey = createLatchkey({ policy: presets.productivity, store });
 */
export function unstorageStore(
  storage: UnstorageLike,
  options: UnstorageStoreOptions = {},
): UnstorageSessionStore {
  if (!storage || typeof storage.getItem !== 'function' || typeof storage.setItem !== 'function') {
    throw new TypeError(
      'unstorageStore: storage must be an unstorage Storage (createStorage({ driver }))',
    );
  }
  const base = options.base ?? 'latchkey';
  if (typeof base !== 'string' || !/^[A-Za-z0-9_-]*$/.test(base)) {
    throw new TypeError(
      `unstorageStore: base must be letters, digits, '_' or '-', got ${JSON.stringify(base)}`,
    );
  }
  const clock = options.clock ?? systemClock;
  const driverName = storage.getMount?.(base)?.driver?.name ?? 'driver';
  const k = (key: string) => storageKey(base, key);
  let cursor = 0; // where the next sweep starts, so successive sweeps cover every key

  return {
    name: `unstorage(${driverName})`,

    async get(key) {
      checkString(who, 'key', key);
      const raw = await storage.getItem(k(key));
      const value = openEnvelope(raw, clock.now(), who);
      // Lazy expiry. If a write lands between our read and this delete, it is
      // lost: the key reads as absent, which fails closed, never open.
      if (value === null && raw !== null && raw !== undefined) await storage.removeItem(k(key));
      return value;
    },

    async set(key, value, ttlMs) {
      checkString(who, 'key', key);
      checkValue(who, value);
      checkTtl(who, ttlMs);
      const stored = envelope(value, clock.now() + ttlMs);
      await storage.setItem(k(key), stored, { ttl: Math.ceil(ttlMs / 1000) });
    },

    async delete(key) {
      checkString(who, 'key', key);
      await storage.removeItem(k(key));
    },

    async sweep({ limit = 1000 }: SweepOptions = {}) {
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new RangeError(`sweep: limit must be a positive integer, got ${String(limit)}`);
      const keys = await storage.getKeys(base);
      if (cursor >= keys.length) cursor = 0;
      const batch = keys.slice(cursor, cursor + limit);
      cursor += batch.length;
      let removed = 0;
      for (const key of batch) {
        const found = parseEnvelope(await storage.getItem(key));
        if (found && found.e <= clock.now()) {
          await storage.removeItem(key);
          removed++;
        }
      }
      return removed;
    },
  };
}
