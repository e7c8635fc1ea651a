// Test helper: a DPoP client key (real WebCrypto ES256) that signs RFC 9449 §4.2 proofs.
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { accessTokenHash } from '../src/dpop/ath.js';
import { jwkThumbprint } from '../src/proof/verify-proof.js';

export interface ProofFields {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  nonce?: string;
  accessToken?: string;
  header?: Record<string, unknown>;
}

export interface DpopKey {
  jwk: JWK;
  jkt: string;
  /** A proof for `method url` at `nowMs`, with a fresh jti unless one is given. */
  proof(method: string, url: string, nowMs: number, fields?: ProofFields): Promise<string>;
}

let counter = 0;

export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return {
    jwk,
    jkt: await jwkThumbprint(jwk),
    async proof(method, url, nowMs, fields = {}) {
      const u = new URL(url);
      const claims: Record<string, unknown> = {
        jti: fields.jti ?? `jti-${++counter}-${Math.random().toString(36).slice(2)}`,
        htm: fields.htm ?? method,
        htu: fields.htu ?? u.origin + u.pathname,
        iat: fields.iat ?? Math.floor(nowMs / 1000),
      };
      if (fields.accessToken !== undefined) claims.ath = accessTokenHash(fields.accessToken);
      if (fields.ath !== undefined) claims.ath = fields.ath;
      if (fields.nonce !== undefined) claims.nonce = fields.nonce;
      return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...fields.header })
        .sign(privateKey);
    },
  };
}
