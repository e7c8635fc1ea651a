/**
 * The signing key set for access tokens: validated and imported once (never
 * per request), the first key signs and every key verifies, so keys rotate
 * without logging anyone out; public keys are published as a JWKS.
 */

import { errors, exportJWK, importJWK, jwtVerify, SignJWT } from 'jose';
import { isCanonicalCompact } from '../canonical.js';
import { ConfigError } from '../errors.js';
import type { JSONWebKeySet, JWK, JWTPayload } from './jose-types.js';

/** Algorithms a key set can hold. HS256 is the default; EdDSA (Ed25519) and ES256 for keys others verify through a JWKS. */
export type TokenAlgorithm = 'HS256' | 'EdDSA' | 'ES256';

/** A shared HMAC secret. It signs and verifies, and never appears in the JWKS. */
export interface HmacKeyConfig {
  kid: string;
  alg: 'HS256';
  /** At least 32 bytes (RFC 7518 §3.2: the key must be at least as long as the hash). A string counts in UTF-8 bytes; use random bytes, not a password. */
  secret: Uint8Array | string;
}

/** An asymmetric key pair. Without `privateKey` it only verifies (an old key kept for rotation, or a key held elsewhere). */
export interface KeyPairConfig {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  /** CryptoKey or private JWK. A private JWK also yields the public key. */
  privateKey?: CryptoKey | JWK;
  /** CryptoKey or public JWK. Required unless `privateKey` is a JWK. */
  publicKey?: CryptoKey | JWK;
}

export type KeyConfig = HmacKeyConfig | KeyPairConfig;

/** What {@link KeySet.verify} checks besides the signature. */
export interface VerifyExpectations {
  /** Required `typ` header, e.g. `at+jwt` (RFC 9068 §2.1). */
  typ: string;
  /** Milliseconds since the epoch from the injected clock. */
  now: number;
  issuer?: string;
  audience?: string | string[];
  /** Longest accepted age of `iat`, in seconds; also makes `iat` required and refuses an `iat` in the future. */
  maxAgeSeconds: number;
  /** Claims that must be present. */
  requiredClaims?: string[];
}

/** Why a token failed verification, as data. */
export type VerifyFailure =
  'malformed' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'wrong-claims';

/** The configured keys. */
export interface KeySet {
  /** Key IDs in order; the first signs. */
  readonly kids: readonly string[];
  /** Sign `payload` with the first key, header `{ alg, kid, typ }`. */
  sign(payload: JWTPayload, typ: string): Promise<string>;
  /** Verify a compact JWS. Never throws for a bad token: it resolves to a failure reason. */
  verify(
    token: string,
    expect: VerifyExpectations,
  ): Promise<{ ok: true; payload: JWTPayload } | { ok: false; reason: VerifyFailure }>;
  /** The public keys as a JWKS for other services to verify with; HMAC secrets are never included. */
  jwks(): Promise<JSONWebKeySet>;
}

const encoder = new TextEncoder();
const MIN_HMAC_BYTES = 32;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
/** Header parameters that would let a token choose its own key: refused outright (RFC 8725 §3.10, ASVS V9.1.3). */
const UNTRUSTED_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'];

interface LoadedKey {
  readonly kid: string;
  readonly alg: TokenAlgorithm;
  readonly canSign: boolean;
  signingKey(): Promise<CryptoKey>;
  verifyingKey(): Promise<CryptoKey>;
  publicJwk(): Promise<JWK | null>;
}

/** Import once: the promise is cached, and dropped again if the import failed so a later call can report the cause. */
function once(load: () => Promise<CryptoKey>): () => Promise<CryptoKey> {
  let cached: Promise<CryptoKey> | undefined;
  return () => {
    cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

const isCryptoKey = (k: unknown): k is CryptoKey =>
  typeof CryptoKey !== 'undefined' && k instanceof CryptoKey;
const isJwk = (k: unknown): k is JWK =>
  typeof k === 'object' && k !== null && !isCryptoKey(k) && typeof (k as JWK).kty === 'string';

function publicPart(jwk: JWK): JWK {
  const out: JWK = {};
  for (const [name, value] of Object.entries(jwk))
    if (!PRIVATE_JWK_MEMBERS.includes(name)) (out as Record<string, unknown>)[name] = value;
  return out;
}

function loadHmac(config: HmacKeyConfig, field: string): LoadedKey {
  const secret = typeof config.secret === 'string' ? encoder.encode(config.secret) : config.secret;
  if (!(secret instanceof Uint8Array))
    throw new TypeError(`${field}.secret: expected a Uint8Array or a string`);
  if (secret.length < MIN_HMAC_BYTES) {
    throw new RangeError(
      `${field}.secret is ${secret.length} bytes; HS256 needs at least ${MIN_HMAC_BYTES} bytes (RFC 7518 §3.2)`,
    );
  }
  const bytes = secret.slice();
  const key = once(() =>
    crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]),
  );
  return {
    kid: config.kid,
    alg: 'HS256',
    canSign: true,
    signingKey: key,
    verifyingKey: key,
    publicJwk: async () => null,
  };
}

function loadPair(config: KeyPairConfig, field: string): LoadedKey {
  const { privateKey, publicKey, alg } = config;
  if (privateKey !== undefined && !isCryptoKey(privateKey) && !isJwk(privateKey))
    throw new TypeError(`${field}.privateKey: expected a CryptoKey or a JWK`);
  if (publicKey !== undefined && !isCryptoKey(publicKey) && !isJwk(publicKey))
    throw new TypeError(`${field}.publicKey: expected a CryptoKey or a JWK`);
  if (isJwk(privateKey) && typeof privateKey.d !== 'string')
    throw new ConfigError(`${field}.privateKey is a public JWK (no "d" member)`);
  if (isJwk(publicKey) && typeof publicKey.d === 'string')
    throw new ConfigError(
      `${field}.publicKey holds private key material ("d"); pass it as privateKey`,
    );
  const publicSource: CryptoKey | JWK | undefined =
    publicKey ?? (isJwk(privateKey) ? publicPart(privateKey) : undefined);
  if (publicSource === undefined)
    throw new ConfigError(
      `${field}: a ${alg} key needs publicKey (or a private JWK, which contains it)`,
    );
  const importKey = async (k: CryptoKey | JWK): Promise<CryptoKey> => {
    if (isCryptoKey(k)) return k;
    const key: unknown = await importJWK(k, alg);
    if (!isCryptoKey(key))
      throw new ConfigError(`${field}: a ${alg} key must be an asymmetric JWK, not "oct"`);
    return key;
  };
  const verifyingKey = once(() => importKey(publicSource));
  const signingKey = once(() =>
    privateKey === undefined
      ? Promise.reject(new ConfigError(`${field} has no privateKey`))
      : importKey(privateKey),
  );
  return {
    kid: config.kid,
    alg,
    canSign: privateKey !== undefined,
    signingKey,
    verifyingKey,
    publicJwk: async () =>
      isJwk(publicSource) ? publicPart(publicSource) : publicPart(await exportJWK(publicSource)),
  };
}

function reasonOf(error: unknown): VerifyFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === 'nbf' ? 'not-yet-valid' : 'wrong-claims';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  return 'malformed';
}

/**
 * Build the key set. Fails at once, naming the field, for an empty list, a
 * duplicate `kid`, an HMAC secret under 32 bytes, an unknown algorithm, or a
 * first key that cannot sign.
 *
 * @example
 * const keys = createKeySet([
 *   { kid: '2026-02', alg: 'HS256', secret: env.TOKEN_SECRET },      // signs
 *   { kid: '2026-01', alg: 'HS256', secret: env.OLD_TOKEN_SECRET },  // still verifies
 * ]);
 * @example
 * const { privateKey, publicKey } = await generateKeyPair('EdDSA');
 * const keys = createKeySet([{ kid: 'ed1', alg: 'EdDSA', privateKey, publicKey }]);
 * await keys.jwks(); // { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: 'ed1', alg: 'EdDSA', use: 'sig' }] }
 */
export function createKeySet(configs: readonly KeyConfig[]): KeySet {
  if (!Array.isArray(configs)) throw new TypeError('keys: expected an array of key configurations');
  if (configs.length === 0)
    throw new ConfigError(
      'keys: the key list is empty; configure at least one key (the first signs)',
    );
  const seen = new Set<string>();
  const keys = configs.map((config, i): LoadedKey => {
    const field = `keys[${i}]`;
    if (!config || typeof config !== 'object')
      throw new TypeError(`${field}: expected a key configuration object`);
    if (typeof config.kid !== 'string' || config.kid === '')
      throw new TypeError(`${field}.kid: expected a non-empty string`);
    if (seen.has(config.kid))
      throw new ConfigError(
        `${field}.kid: "${config.kid}" is used twice; every key needs its own kid`,
      );
    seen.add(config.kid);
    switch (config.alg) {
      case 'HS256':
        return loadHmac(config, field);
      case 'EdDSA':
      case 'ES256':
        return loadPair(config, field);
      default:
        throw new ConfigError(
          `${field}.alg: expected 'HS256', 'EdDSA' or 'ES256', got ${JSON.stringify((config as { alg?: unknown }).alg)}`,
        );
    }
  });
  const signer = keys[0]!;
  if (!signer.canSign)
    throw new ConfigError('keys[0]: the first key signs, so it needs a privateKey');
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const algorithms = [...new Set(keys.map((k) => k.alg))];

  return {
    kids: keys.map((k) => k.kid),
    async sign(payload, typ) {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ })
        .sign(await signer.signingKey());
    },
    async verify(token, expect) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 8192)
        return { ok: false, reason: 'malformed' };
      // One spelling per token: jose ignores a segment's unused low bits, so refuse any variant first.
      if (!isCanonicalCompact(token, 3)) return { ok: false, reason: 'malformed' };
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            for (const name of UNTRUSTED_HEADERS)
              if (name in header)
                throw new errors.JWSInvalid(`"${name}" header parameter is not accepted`);
            const key = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined;
            // The algorithm is the key's, not the token's: an HS256 token under an EdDSA kid never reaches a verifier.
            if (!key || header.alg !== key.alg) throw new errors.JWSSignatureVerificationFailed();
            return key.verifyingKey();
          },
          {
            algorithms,
            typ: expect.typ,
            currentDate: new Date(expect.now),
            maxTokenAge: expect.maxAgeSeconds,
            requiredClaims: ['exp', 'iat', ...(expect.requiredClaims ?? [])],
            ...(expect.issuer === undefined ? {} : { issuer: expect.issuer }),
            ...(expect.audience === undefined ? {} : { audience: expect.audience }),
          },
        );
        return { ok: true, payload };
      } catch (error) {
        return { ok: false, reason: reasonOf(error) };
      }
    },
    async jwks() {
      const out: JWK[] = [];
      for (const key of keys) {
        const jwk = await key.publicJwk();
        if (jwk) out.push({ ...jwk, kid: key.kid, alg: key.alg, use: 'sig' });
      }
      return { keys: out };
    },
  };
}
