/**
 * Store keys as unstorage keys, one-to-one: unstorage normalizes keys (`/` to
 * `:`, drops from `?`), so every key is escaped into a form it leaves alone.
 */

const encoder = new TextEncoder();

/**
 * The unstorage key for a store key under `base` (a plain segment, or empty).
 *
 * @example
 * storageKey('latchkey', 'lk:s:AbC_9-x'); // 'latchkey:lk%3As%3AAbC_9-x'
 * storageKey('latchkey', 'a?b/..');       // 'latchkey:a%3Fb%2F%2E%2E'
 */
export function storageKey(base: string, key: string): string {
  const escaped = key.replace(/[^A-Za-z0-9_-]/gu, (c) =>
    Array.from(encoder.encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(
      '',
    ),
  );
  return base === '' ? escaped : `${base}:${escaped}`;
}
