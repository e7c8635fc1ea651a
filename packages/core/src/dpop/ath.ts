/**
 * The DPoP access-token hash (RFC 9449 §4.2 `ath`): base64url of the SHA-256 of the token's
 * ASCII text, which binds a resource request's proof to the one access token it carries.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';

/**
 * The `ath` value for `accessToken`.
 *
 * @example
 * accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU') // 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'
 */
export function accessTokenHash(accessToken: string): string {
  return base64url.encode(sha256(new TextEncoder().encode(accessToken)));
}
