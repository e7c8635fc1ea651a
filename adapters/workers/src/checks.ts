/**
 * Input checks at the stores' public edge, naming the field and the limit
 * (a TypeError for a wrong type, a RangeError for a wrong size).
 */

export function checkString(where: string, field: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v.length === 0) {
    throw new TypeError(`${where}: ${field} must be a non-empty string, got ${v === '' ? 'an empty string' : typeof v}`);
  }
}

export function checkValue(where: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw new TypeError(`${where}: value must be a string, got ${typeof v}`);
}

export function checkTtl(where: string, ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number') throw new TypeError(`${where}: ttlMs must be a number, got ${typeof ttlMs}`);
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RangeError(`${where}: ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
}
