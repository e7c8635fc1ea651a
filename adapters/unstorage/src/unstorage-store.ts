/**
 * A `SessionStore` over any unstorage `Storage`, so memory, filesystem, Redis,
 * Cloudflare KV, Deno KV, Vercel KV, Upstash and the rest work by
 * configuration (`createStorage({ driver })`).
 *
 * Every value is written as core's envelope `{ v: value, e: expiresAtMs }`:
 * - Expiry is exact to the millisecond on every driver. The envelope is
 *   checked against the injected clock on read, and an expired key is deleted
 *   then (lazily). unstorage's TTL option is in whole seconds, most drivers
 *   ignore it, and some round it up (Cloudflare KV: at least 60 s,
 *   unjs/unstorage#496), so a driver's TTL alone cannot keep Latchkey's
 *   millisecond promise.
 * - Values come back byte-identical. unstorage parses any string that looks
 *   like JSON (`'0'` comes back as the number 0, `'null'` as null) and
 *   `getItemRaw` decodes strings starting `base64:`; a JSON object wrapping
 *   the string sidesteps both.
 *
 * The TTL is also passed to the driver, rounded up to whole seconds, so a
 * driver with native expiry (redis `SET … EX`, Cloudflare KV, Deno KV,
 * Upstash, Vercel KV) drops the key itself at most a second (or its own
 * minimum) after Latchkey stops returning it, and nothing leaks
 * (tj/connect-redis#251).
 *
 * No capabilities: unstorage has no compare-and-swap (unjs/unstorage#152), no
 * atomic read-and-delete and no sorted sets, so a user index, consume-once or
 * compare-and-set built on plain get and set would only pretend to be atomic.
 * Features that need them refuse this store with `StoreCapabilityError`; use
 * {@link redisStore} for Redis.
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
  type SessionStore,
} from '@latchkey/core/store';
import type { Storage } from 'unstorage';
import { storageKey } from './storage-key.js';

const who = 'unstorageStore';

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
  storage: Storage,
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
