/**
 * DBSC proofs as a user agent makes them, for the fake browser and for tests that attack by
 * hand: WebCrypto key pairs (ES256, RS256), the signed `dbsc+jwt` (the public `jwk` in the
 * header on registration only, `jti` the challenge), and reading a `Secure-Session-Challenge`.
 */
import { CompactSign, base64url } from 'jose';
import { parseItem, stringParam } from '../dbsc/structured-fields.js';
import type { BrowserSession } from './dbsc-scope.js';

/**
 * A fresh non-extractable key pair for `alg`.
 *
 * @example
 * const keys = await generateKeyPair('ES256');
 */
export async function generateKeyPair(alg: 'ES256' | 'RS256'): Promise<CryptoKeyPair> {
  const params =
    alg === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
  return (await crypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
}

/**
 * A DBSC proof: `typ: dbsc+jwt`, the public `jwk` on registration only, `jti` the challenge.
 *
 * @example
 * const proof = await sign('ES256', keys, challenge, false); // a refresh proof
 */
export async function sign(
  alg: BrowserSession['alg'],
  keys: CryptoKeyPair | null,
  challenge: string,
  registration: boolean,
): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify({ jti: challenge }));
  if (alg === 'none' || !keys) {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'dbsc+jwt' }));
    return `${header}.${base64url.encode(payload)}.`;
  }
  const { kty, crv, x, y, n, e } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const jwk = Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
  );
  return new CompactSign(payload)
    .setProtectedHeader({ alg, typ: 'dbsc+jwt', ...(registration && { jwk }) })
    .sign(keys.privateKey);
}

/**
 * Parse one `Secure-Session-Challenge` item (tests that read a 403 by hand).
 *
 * @example
 * readChallenge(response.headers.get('secure-session-challenge')); // { challenge, id } or null
 */
export function readChallenge(value: string | null): { challenge: string; id: string } | null {
  const parsed = parseItem(value);
  const id = parsed ? stringParam(parsed.params, 'id') : undefined;
  return parsed?.item.kind === 'string' && id !== undefined
    ? { challenge: parsed.item.value, id }
    : null;
}
