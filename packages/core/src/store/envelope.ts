/**
 * The `{ v, e }` envelope: a value stored with its own deadline, for stores on
 * backends whose TTL is coarse, lazy or absent (Workers KV, Deno KV, Durable
 * Object storage, unstorage drivers), so a value is never returned after it.
 */

import { StoreError } from '../errors.js';

/** A value and the time (ms since the epoch, on the store's clock) after which it must never be returned. */
export interface Envelope {
  /** The value, exactly as the engine gave it. */
  readonly v: string;
  /** The deadline: the value is dead once the clock reaches it. */
  readonly e: number;
}

/**
 * Wrap `value` with its deadline. Backends that hold objects store the result
 * as is; string-only backends store `JSON.stringify(envelope(…))`.
 *
 * @example
 * await kv.put(key, JSON.stringify(envelope(value, clock.now() + ttlMs)));
 */
export function envelope(value: string, deadline: number): Envelope {
  return { v: value, e: deadline };
}

/**
 * The envelope in a value read back (an object, or its JSON text), or
 * `undefined` when it is not one: never throws. For sweeps, which skip or
 * drop what they cannot read; reads use {@link openEnvelope}.
 *
 * @example
 * const found = parseEnvelope(await storage.getItem(key));
 * if (found && found.e <= clock.now()) await storage.removeItem(key);
 */
export function parseEnvelope(raw: unknown): Envelope | undefined {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, e } = value as Partial<Envelope>;
  // A deadline of Infinity or NaN was never written by a store: refuse it rather than keep it forever.
  return typeof v === 'string' && typeof e === 'number' && Number.isFinite(e)
    ? { v, e }
    : undefined;
}

/**
 * The live value in what a store read back: `null` when nothing was there
 * (`null` or `undefined`) or its deadline has passed at `now`. A value that
 * is not an envelope was not written by `store` and is refused with a
 * `StoreError` (`operation: 'decode'`), so the request fails closed: read as
 * absent, a corrupted revocation entry would let a revoked credential back in.
 *
 * @example
 * const value = openEnvelope(await kv.get(key), clock.now(), 'myKvStore');
 */
export function openEnvelope(raw: unknown, now: number, store: string): string | null {
  if (raw === null || raw === undefined) return null;
  const found = parseEnvelope(raw);
  if (!found)
    throw new StoreError(
      'decode',
      `${store}: the value read is not a { v, e } envelope, so it was not written by ${store}`,
    );
  return now < found.e ? found.v : null;
}
