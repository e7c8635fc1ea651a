/**
 * One spelling per token: every token the library issues or accepts is
 * refused unless it is in the one base64url spelling of its bytes. Variants
 * differ only in the unused low bits of a segment's last character, which
 * decoders ignore; accepting them would give one token several names.
 * That each token kind refuses them is in tamper.test.ts, with every other
 * one-character change.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64url } from 'jose';
import { isCanonicalBase64url } from '../src/canonical.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The other spellings of a segment: its last character with other values in the unused bits. */
function variants(segment: string): string[] {
  const rest = segment.length % 4;
  if (rest === 0) return [];
  const unused = rest === 2 ? 0b1111 : 0b11;
  const last = ALPHABET.indexOf(segment.at(-1)!);
  const out: string[] = [];
  for (let low = 0; low <= unused; low++) {
    const index = (last & ~unused) | low;
    if (index !== last) out.push(segment.slice(0, -1) + ALPHABET[index]);
  }
  return out;
}

describe('isCanonicalBase64url', () => {
  it('accepts the encoding of any bytes and refuses every other spelling of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const encoded = base64url.encode(bytes);
        expect(isCanonicalBase64url(encoded)).toBe(true);
        for (const other of variants(encoded)) {
          expect(base64url.decode(other)).toEqual(bytes); // the same bytes to a decoder…
          expect(isCanonicalBase64url(other)).toBe(false); // …but not the same token
        }
      }),
    );
  });

  it('refuses padding, other alphabets and impossible lengths', () => {
    for (const bad of ['QQ==', 'a+b/', 'abcde', 'ab cd', 'ä'])
      expect(isCanonicalBase64url(bad)).toBe(false);
  });
});
