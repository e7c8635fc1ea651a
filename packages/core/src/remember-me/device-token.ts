/**
 * The remember-me token: a split `selector.validator` token (the selector
 * names the remembered login, the validator is the secret, stored hashed), and
 * the successor sealed under the old validator for the grace window.
 */

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';
import { isCanonicalBase64url } from '../canonical.js';
import { hashSecret, newSecret, type RandomSource } from '../random.js';

/** Bytes in a selector: 128 bits, enough that no two devices ever collide and none can be guessed. */
export const SELECTOR_BYTES = 16;

const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A remember-me token split into its two halves. */
export interface DeviceToken {
  /** Public: names the device. */
  selector: string;
  /** Secret: proves possession; stored only as a hash. */
  validator: string;
}

/**
 * A token for a device: a fresh validator, and a fresh selector unless the
 * device already has one (rotation keeps the selector).
 *
 * @example
 * const token = newDeviceToken(cryptoRandom);
 * formatDeviceToken(token); // 'Xq3…(22).k9J…(43)'
 */
export function newDeviceToken(random: RandomSource, selector?: string): DeviceToken {
  if (selector === undefined) {
    const bytes = random(SELECTOR_BYTES);
    if (!(bytes instanceof Uint8Array) || bytes.length !== SELECTOR_BYTES) {
      throw new RangeError(
        `random source returned ${bytes?.length ?? 'no'} bytes, expected ${SELECTOR_BYTES}`,
      );
    }
    selector = base64url.encode(bytes);
  }
  return { selector, validator: newSecret(random) };
}

/** The cookie value: `selector.validator`, 66 characters. */
export function formatDeviceToken(token: DeviceToken): string {
  return `${token.selector}.${token.validator}`;
}

/**
 * Split a cookie value, or `null` when it is not shaped like a token.
 * Never throws, whatever the input.
 *
 * @example
 * parseDeviceToken('not a token'); // null
 */
export function parseDeviceToken(value: string): DeviceToken | null {
  if (typeof value !== 'string' || value.length !== 66) return null;
  const m = TOKEN.exec(value);
  if (!m || !isCanonicalBase64url(m[1]!) || !isCanonicalBase64url(m[2]!)) return null;
  return { selector: m[1]!, validator: m[2]! };
}

/**
 * The device's public handle: SHA-256 of the selector, base64url. Safe to
 * show, log and revoke by; it cannot be turned back into a cookie.
 */
export function deviceHandle(selector: string): string {
  return hashSecret(selector);
}

/** SHA-256 of a validator, base64url: what the store keeps. */
export function validatorHash(validator: string): string {
  return hashSecret(validator);
}

/**
 * Compare two strings in time that depends only on their length, so a
 * remote attacker cannot learn a stored hash byte by byte from response
 * times. Both arguments here are SHA-256 digests of equal length.
 *
 * @example
 * sameHash(validatorHash(presented), record.validatorHash);
 */
export function sameHash(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const SEAL_INFO = encoder.encode('latchkey remember-me successor v1');

async function successorKey(
  previousValidator: string,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const raw = hkdf(sha256, encoder.encode(previousValidator), undefined, SEAL_INFO, 32);
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, [usage]);
}

/**
 * Seal the successor (`newValidator.newSessionId`) under the previous
 * validator, bound to the device handle. Output: `iv.ciphertext`, base64url.
 */
export async function sealSuccessor(
  previousValidator: string,
  successor: string,
  handle: string,
  random: RandomSource,
): Promise<string> {
  // Copies: WebCrypto's types want bytes backed by a plain ArrayBuffer.
  const iv = new Uint8Array(random(12));
  if (iv.length !== 12)
    throw new RangeError(`random source returned ${iv.length} bytes, expected 12`);
  const key = await successorKey(previousValidator, 'encrypt');
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(handle) },
    key,
    encoder.encode(successor),
  );
  return `${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

/** Open a sealed successor with the previous validator; `null` when it does not open (wrong key, corrupt value). */
export async function openSuccessor(
  previousValidator: string,
  sealed: string,
  handle: string,
): Promise<string | null> {
  try {
    const [iv, body] = sealed.split('.');
    if (!iv || !body) return null;
    const key = await successorKey(previousValidator, 'decrypt');
    const plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: new Uint8Array(base64url.decode(iv)),
        additionalData: encoder.encode(handle),
      },
      key,
      new Uint8Array(base64url.decode(body)),
    );
    return decoder.decode(plain);
  } catch {
    return null;
  }
}
