/**
 * A tiny assertion module with no test-framework dependency, so the store
 * conformance cases run unchanged under vitest on Node and inside Deno and
 * workerd, where vitest cannot run (jose's one-suite-many-runtimes pattern).
 */

/** Thrown by a failed assertion; the message shows both sides. */
export class AssertionFailure extends Error {
  override name = 'AssertionFailure';
}

const show = (v: unknown): string => {
  if (typeof v === 'string')
    return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…(${v.length} chars)` : v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    deepEqual(ka, kb) &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * Assert `actual` deep-equals `expected` (plain objects, arrays, primitives).
 *
 * @example
 * assertEqual(await store.get('k'), 'v', 'value after set');
 */
export function assertEqual(actual: unknown, expected: unknown, what = 'value'): void {
  if (!deepEqual(actual, expected))
    throw new AssertionFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/**
 * Assert a condition holds.
 *
 * @example
 * assertTrue(store.name.length > 0, 'store has a name');
 */
export function assertTrue(condition: boolean, what: string): void {
  if (!condition) throw new AssertionFailure(`${what}: expected true`);
}
