/**
 * A bounded LRU of verified tokens and sealed cookies, keyed by the token's
 * SHA-256, so a stream of requests with one cookie does not pay a decryption
 * or signature check every time. It holds JSON; each hit decodes its own copy.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';

const encoder = new TextEncoder();

/** Options for a verified-token cache. */
export interface VerifiedCacheOptions {
  /** Most entries kept; the least recently used goes first. Default 1000. */
  maxEntries?: number;
}

/** @internal */
export class VerifiedCache<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();
  readonly #max: number;

  constructor(options: VerifiedCacheOptions = {}) {
    const max = options.maxEntries ?? 1000;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError(`cache.maxEntries must be an integer of at least 1, got ${String(max)}`);
    this.#max = max;
  }

  /** The cache key: SHA-256 of the token, so the cache holds no usable token. */
  static keyOf(token: string): string {
    return base64url.encode(sha256(encoder.encode(token)));
  }

  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (now >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry); // most recently used goes last
    return entry.value;
  }

  set(key: string, value: T, expiresAt: number, now: number): void {
    if (!(expiresAt > now)) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
