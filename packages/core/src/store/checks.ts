/**
 * Argument checks at a store's public edge, shared by every store in the
 * repo and offered to store authors: a `TypeError` for a wrong type, a
 * `RangeError` for a wrong size, naming the store and the field.
 */

/**
 * A key, user ID or member: a non-empty string.
 *
 * @example
 * checkString('myStore', 'key', key); // TypeError: myStore: key must be a non-empty string, got number
 */
export function checkString(store: string, field: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.length === 0) {
    throw new TypeError(
      `${store}: ${field} must be a non-empty string, got ${v === '' ? 'an empty string' : typeof v}`,
    );
  }
}

/**
 * A value to store: any string, the empty one included.
 *
 * @example
 * checkValue('myStore', value); // TypeError: myStore: value must be a string, got object
 */
export function checkValue(store: string, v: unknown): asserts v is string {
  if (typeof v !== 'string')
    throw new TypeError(`${store}: value must be a string, got ${typeof v}`);
}

/**
 * The `expected` value of a compare-and-set: a string, or `null` for absent.
 *
 * @example
 * checkExpected('myStore', expected); // TypeError: myStore: expected must be a string or null, got number
 */
export function checkExpected(store: string, v: unknown): asserts v is string | null {
  if (v !== null && typeof v !== 'string')
    throw new TypeError(`${store}: expected must be a string or null, got ${typeof v}`);
}

/**
 * A TTL: a positive, finite number of milliseconds.
 *
 * @example
 * checkTtl('myStore', ttlMs); // RangeError: myStore: ttlMs must be a positive finite number of milliseconds, got 0
 */
export function checkTtl(store: string, ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number')
    throw new TypeError(`${store}: ttlMs must be a number, got ${typeof ttlMs}`);
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RangeError(
      `${store}: ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`,
    );
  }
}
