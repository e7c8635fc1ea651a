/**
 * Keys for sealed cookie sessions: each secret (at least 32 bytes) is
 * stretched once, at construction, with HKDF-SHA256 into an A256GCM key and a
 * short key ID. Nothing is derived per request.
 */

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';
import { ConfigError } from '../errors.js';

/** A sealing secret: random bytes, or a string of at least 32 bytes in UTF-8 (generate it; never a password). */
export type SealingSecret = Uint8Array | string;

/** @internal */
export interface SealingKey {
  readonly kid: string;
  key(): Promise<CryptoKey>;
}

/** @internal */
export interface SealingKeys {
  readonly current: SealingKey;
  byKid(kid: unknown): SealingKey | undefined;
}

const encoder = new TextEncoder();
const KEY_INFO = encoder.encode('latchkey sealed session key v1');
const KID_INFO = encoder.encode('latchkey sealed session kid v1');
/** RFC 7518 §5.3 asks for a 256-bit key for A256GCM; a shorter secret would cap its strength below that. */
export const MIN_SECRET_BYTES = 32;

/**
 * @throws ConfigError for an empty list, RangeError for a secret under 32 bytes (naming its position).
 * @example
 * const keys = sealingKeys([env.SESSION_SECRET, env.OLD_SESSION_SECRET]);
 */
export function sealingKeys(secrets: readonly SealingSecret[]): SealingKeys {
  if (!Array.isArray(secrets))
    throw new TypeError('secrets: expected an array [current, ...older]');
  if (secrets.length === 0)
    throw new ConfigError(
      'secrets: the list is empty; configure at least one secret (the first seals)',
    );
  const keys = secrets.map((secret, i): SealingKey => {
    const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
    if (!(bytes instanceof Uint8Array))
      throw new TypeError(`secrets[${i}]: expected a Uint8Array or a string`);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new RangeError(
        `secrets[${i}] is ${bytes.length} bytes; a sealing secret needs at least ${MIN_SECRET_BYTES} bytes`,
      );
    }
    const raw = hkdf(sha256, bytes, undefined, KEY_INFO, 32);
    const kid = base64url.encode(hkdf(sha256, bytes, undefined, KID_INFO, 9));
    let imported: Promise<CryptoKey> | undefined;
    return {
      kid,
      key: () => {
        imported ??= crypto.subtle.importKey('raw', raw, { name: 'AES-GCM', length: 256 }, false, [
          'encrypt',
          'decrypt',
        ]);
        return imported;
      },
    };
  });
  const seen = new Set<string>();
  for (const [i, key] of keys.entries()) {
    if (seen.has(key.kid)) throw new ConfigError(`secrets[${i}] repeats an earlier secret`);
    seen.add(key.kid);
  }
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  return {
    current: keys[0]!,
    byKid: (kid) => (typeof kid === 'string' ? byKid.get(kid) : undefined),
  };
}
