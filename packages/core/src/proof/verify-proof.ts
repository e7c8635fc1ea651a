/**
 * The one proof-of-possession check DPoP (RFC 9449 §4.3) and DBSC (the DBSC proof JWT) share:
 * a compact JWS of the expected `typ`, signed with an allowed asymmetric algorithm by the
 * public key it embeds (`jwk`) or by the key registered before, and the key's RFC 7638
 * thumbprint. Claims (`htm`, `jti`, `iat`, …) are each protocol's own; they are only parsed here.
 */
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { JWK } from '../tokens/jose-types.js';

/** The asymmetric algorithms a proof may use; never an HMAC (a shared secret proves nothing). */
export type ProofAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'PS256' | 'EdDSA';

/** What {@link verifyProof} checks the proof against. */
export interface ProofExpectations {
  /** The JWS `typ` header: `dpop+jwt` (RFC 9449 §4.2) or `dbsc+jwt`. */
  typ: string;
  /** The algorithms accepted, e.g. `['ES256', 'RS256']`. */
  algorithms: readonly ProofAlgorithm[];
  /**
   * The public key registered earlier (a DBSC refresh). Absent: the proof must embed its public
   * key as `jwk`, and that key is the one proved.
   */
  key?: JWK;
  /** Accept `alg: none` (DBSC lets a site ask for it). Default `false`; the proof then proves nothing. */
  allowNone?: boolean;
}

/** Why a proof was refused: a stable reason, never the proof itself. */
export type ProofFailure = 'malformed' | 'typ' | 'alg' | 'key' | 'signature';

/** The verdict of {@link verifyProof}. */
export type ProofVerdict =
  | {
      valid: true;
      alg: ProofAlgorithm | 'none';
      /** The header, as sent. */
      header: Record<string, unknown>;
      /** The payload's claims, parsed but not judged. */
      claims: Record<string, unknown>;
      /** The public key proved (`null` for `alg: none`). */
      jwk: JWK | null;
      /** Its RFC 7638 SHA-256 thumbprint, base64url (`null` for `alg: none`). */
      thumbprint: string | null;
    }
  | { valid: false; reason: ProofFailure; detail: string };

/** A proof is one header line; RFC 9449 proofs are a few hundred bytes, an RSA key's about 700. */
const MAX_PROOF_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;
/** Which key type and curve each algorithm needs (RFC 7518 §3, RFC 8037 §3.1). */
const KEY_TYPE: Record<ProofAlgorithm, { kty: string; crv?: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};
const MIN_RSA_MODULUS_BYTES = 256; // 2048 bits (RFC 7518 §3.3)

const refuse = (reason: ProofFailure, detail: string): ProofVerdict => ({
  valid: false,
  reason,
  detail,
});

/**
 * Verify a proof-of-possession JWS. Never throws on hostile input: every refusal is a verdict.
 *
 * @example
 * const verdict = await verifyProof(request.headers.get('dpop') ?? '', { typ: 'dpop+jwt', algorithms: ['ES256'] });
 * if (verdict.valid) console.log(verdict.thumbprint, verdict.claims.htm);
 */
export async function verifyProof(jws: string, expect: ProofExpectations): Promise<ProofVerdict> {
  if (typeof jws !== 'string' || jws.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(jws))
    return refuse('malformed', `not a compact JWS of at most ${MAX_PROOF_LENGTH} characters`);
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
    const payload: unknown = JSON.parse(decodeSegment(jws.split('.')[1]!));
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return refuse('malformed', 'the payload is not a JSON object');
    claims = payload as Record<string, unknown>;
  } catch {
    return refuse('malformed', 'the header or payload is not base64url JSON');
  }
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== expect.typ.toLowerCase())
    return refuse('typ', `typ must be ${expect.typ}`);
  const alg = header.alg;
  if (alg === 'none') {
    if (!expect.allowNone) return refuse('alg', 'alg none is not accepted');
    if (!jws.endsWith('.')) return refuse('malformed', 'an alg none proof carries no signature');
    if (header.jwk !== undefined) return refuse('key', 'an alg none proof carries no jwk');
    return { valid: true, alg: 'none', header, claims, jwk: null, thumbprint: null };
  }
  if (typeof alg !== 'string' || !(expect.algorithms as readonly string[]).includes(alg))
    return refuse('alg', `alg must be one of ${expect.algorithms.join(', ')}`);
  const embedded = header.jwk;
  let jwk: JWK;
  if (expect.key) {
    jwk = expect.key;
    if (embedded !== undefined && !(await sameKey(embedded, expect.key)))
      return refuse('key', 'the proof names a key other than the registered one');
  } else {
    if (typeof embedded !== 'object' || embedded === null || Array.isArray(embedded))
      return refuse('key', 'the proof must carry its public key as jwk');
    jwk = embedded as JWK;
  }
  const keyProblem = checkPublicKey(jwk, alg as ProofAlgorithm);
  if (keyProblem) return refuse('key', keyProblem);
  try {
    const key = await importJWK({ ...jwk, ext: true }, alg);
    await compactVerify(jws, key, { algorithms: [alg] });
  } catch {
    return refuse('signature', 'the signature does not verify with the key');
  }
  return {
    valid: true,
    alg: alg as ProofAlgorithm,
    header,
    claims,
    jwk: publicMembers(jwk),
    thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
  };
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public key, base64url: what `cnf.jkt` (RFC 9449 §6.1)
 * holds and what a bound session stores.
 *
 * @example
 * const jkt = await jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' });
 */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** Why `jwk` cannot be the public key of an `alg` proof, or `null` when it can. */
function checkPublicKey(jwk: JWK, alg: ProofAlgorithm): string | null {
  for (const member of PRIVATE_MEMBERS)
    if ((jwk as Record<string, unknown>)[member] !== undefined)
      return `the jwk holds private key material (${member})`;
  const want = KEY_TYPE[alg];
  if (jwk.kty !== want.kty || (want.crv !== undefined && jwk.crv !== want.crv))
    return `an ${alg} proof needs a ${want.kty}${want.crv ? ` ${want.crv}` : ''} key`;
  if (want.kty === 'RSA' && Math.floor(((jwk.n ?? '').length * 6) / 8) < MIN_RSA_MODULUS_BYTES)
    return 'an RSA key must be at least 2048 bits';
  return null;
}

/** The members of a public key that identify it (RFC 7638 §3.2), plus its `kty`. */
function publicMembers(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
  ) as JWK;
}

async function sameKey(embedded: unknown, registered: JWK): Promise<boolean> {
  if (typeof embedded !== 'object' || embedded === null) return false;
  try {
    return (
      (await calculateJwkThumbprint(embedded as JWK, 'sha256')) ===
      (await calculateJwkThumbprint(registered, 'sha256'))
    );
  } catch {
    return false;
  }
}

function decodeSegment(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(
    Uint8Array.from(binary, (c) => c.charCodeAt(0)),
  );
}
