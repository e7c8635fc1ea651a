/**
 * The JOSE shapes in Latchkey's public types (RFC 7517 JWK and JWK Set, RFC
 * 7519 claims), member for member as jose declares them. Declared here, not
 * imported: jose is ESM-only, so a CommonJS project's `.d.cts` could not
 * import its types (TS1479). keys.ts passes them to jose and back, which keeps
 * them assignable both ways.
 */

/** A JSON Web Key (RFC 7517 §4; members of RFC 7518 §6, RFC 8037 §2 and ML-DSA's AKP keys). */
export interface JWK {
  kty?: string;
  alg?: string;
  key_ops?: string[];
  ext?: boolean;
  use?: string;
  x5c?: string[];
  x5t?: string;
  'x5t#S256'?: string;
  x5u?: string;
  kid?: string;
  crv?: string;
  d?: string;
  dp?: string;
  dq?: string;
  e?: string;
  k?: string;
  n?: string;
  p?: string;
  q?: string;
  qi?: string;
  x?: string;
  y?: string;
  pub?: string;
  priv?: string;
  oth?: Array<{ d?: string; r?: string; t?: string }>;
}

/** A JWK Set (RFC 7517 §5), as served at a JWKS endpoint. */
export interface JSONWebKeySet {
  keys: JWK[];
}

/** JWT claims: the registered ones of RFC 7519 §4.1, and any others. */
export interface JWTPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [propName: string]: unknown;
}
