/**
 * One spelling per token. Base64url without padding leaves unused low bits
 * in the last character of a segment whose length is not a multiple of 4,
 * and decoders (jose's included) ignore them, so `...Q` and `...R` can
 * decode to the same bytes. Anything keyed by a token's text (a cache, a
 * denylist, a log search) would then see two tokens where there is one.
 * Every token Latchkey issues or accepts must be in the canonical spelling:
 * the only one that re-encodes to exactly the characters it arrived as.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** Is `value` base64url without padding, in its one canonical spelling? */
export function isCanonicalBase64url(value: string): boolean {
  if (!SEGMENT.test(value)) return false;
  const rest = value.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false; // no byte string encodes to this length
  const last = ALPHABET.indexOf(value[value.length - 1]!);
  // 2 characters left carry 1 byte (4 bits unused); 3 carry 2 bytes (2 bits unused).
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/** Is `token` a JOSE compact serialization of `parts` dot-separated segments, each canonical? */
export function isCanonicalCompact(token: string, parts: 3 | 5): boolean {
  const segments = token.split('.');
  return segments.length === parts && segments.every(isCanonicalBase64url);
}
