/**
 * Argument checks at a store's public edge, shared by every store in the
 * repo and offered to store authors: a `TypeError` for a wrong type, a
 * `RangeError` for a wrong size, naming the store and the field.
 *
 * @example
 * checkTtl('myStore', ttlMs); // RangeError: myStore: ttlMs must be a positive finite number of milliseconds, got 0
 */

export function checkString(store: string, field: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.length === 0) {
    throw new TypeError(
      `${store}: ${field} must be a non-empty string, got ${v === '' ? 'an empty string' : typeof v}`,
    );
  }
}

export function checkValue(store: string, v: unknown): asserts v is string {
  if (typeof v !== 'string')
    throw new TypeError(`${store}: value must be a string, got ${typeof v}`);
}

export function checkTtl(store: string, ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number')
    throw new TypeError(`${store}: ttlMs must be a number, got ${typeof ttlMs}`);
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RangeError(
      `${store}: ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`,
    );
  }
}
