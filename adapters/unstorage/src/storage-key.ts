/**
 * Store keys as unstorage keys, one-to-one.
 *
 * unstorage normalizes every key before a driver sees it: `/` and `\` become
 * `:`, runs of `:` collapse, leading and trailing `:` go, and everything from
 * the first `?` is dropped. The fs driver then maps each `:` to a directory
 * and refuses `..`, so key `a` (a file) and key `a:b` (inside a directory
 * `a`) cannot both exist. Left alone, `a?x` and `a?y` would be one key, and
 * `a::b` and `a:b` too.
 *
 * So the whole key is escaped into one segment: every character outside
 * `[A-Za-z0-9_-]` becomes `%XX` (its UTF-8 bytes, `:` included). The result
 * holds none of `: / \ ? .`, normalization leaves it alone, distinct keys
 * stay distinct, and the fs driver keeps every record as one file under
 * `<base>/`. Engine keys read as `latchkey:lk%3As%3A<handle>`.
 *
 * Note: on a case-insensitive filesystem (macOS, Windows defaults) the fs
 * driver folds `A` and `a` into one file. Latchkey's session keys are
 * hashes of the secret token, so no client can aim at such a collision.
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
