/**
 * Access tokens: short-lived JWTs (`typ: at+jwt`, RFC 9068 §2.1) signed with
 * the key set's first key. Verification checks the signature, algorithm,
 * type, times and configured issuer/audience, then revocation (the `jti`
 * denylist and the user's not-before time), every time: the optional cache
 * of verified tokens saves the signature check, never the revocation check.
 */

import { newSecret, type RandomSource } from '../random.js';
import { VerifiedCache } from '../verified-cache.js';
import type { JWTPayload } from './jose-types.js';
import type { KeySet, VerifyFailure } from './keys.js';
import type { Revocation } from './revocation.js';
import type { DpopRefusal } from '../dpop/verifier.js';

/** The JWT `typ` of Latchkey access tokens (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Claims an application may add. The registered claims Latchkey sets (`sub`, `jti`, `iat`, `exp`, `nbf`, `iss`, `aud`, `sid`) cannot be overridden. */
export type ExtraClaims = Record<string, unknown>;

/** The claims of a verified access token. */
export interface AccessClaims extends JWTPayload {
  /** The user. */
  sub: string;
  /** This token's ID, for revocation by `jti`. */
  jti: string;
  iat: number;
  exp: number;
  /** The refresh-token family the token came from (its public ID). */
  sid?: string;
  /** RFC 9449 §6.1: the DPoP key the token is bound to (its RFC 7638 thumbprint). */
  cnf?: { jkt?: string };
}

/** Why an access token was refused. `revoked` covers a denylisted `jti` and a token older than the user's not-before time. */
export type AccessInvalidReason = VerifyFailure | 'revoked' | 'dpop-proof';

/** The verdict on an access token. Never throws for a bad token; a failing store rejects with `StoreError` (fail closed). */
export type AccessVerdict =
  | { valid: true; claims: AccessClaims }
  | {
      valid: false;
      reason: AccessInvalidReason;
      /** With `dpop-proof`: a DPoP-bound token without a valid proof of its key (RFC 9449 §7.1). */
      dpop?: DpopRefusal;
    };

const RESERVED = new Set(['sub', 'jti', 'iat', 'exp', 'nbf', 'iss', 'aud', 'sid', 'cnf']);

/** Copy the application's claims, refusing anything that is not a plain JSON object or that tries to set a registered claim. */
export function checkClaims(claims: unknown): ExtraClaims {
  if (claims === undefined) return {};
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
    throw new TypeError('claims: expected a plain object');
  for (const name of Object.keys(claims)) {
    if (RESERVED.has(name))
      throw new TypeError(
        `claims.${name}: a registered claim Latchkey sets itself; choose another name`,
      );
  }
  return JSON.parse(JSON.stringify(claims)) as ExtraClaims;
}

/** @internal Mints and verifies access tokens. */
export class AccessTokens {
  /** The verified claims as JSON text, so every caller gets its own copy (a handler changing its claims changes nobody else's). */
  readonly #cache: VerifiedCache<string> | undefined;

  constructor(
    private readonly keys: KeySet,
    private readonly revocation: Revocation,
    private readonly random: RandomSource,
    private readonly ttlMs: number,
    private readonly expect: { issuer?: string; audience?: string | string[] },
    cache: { maxEntries?: number } | false,
  ) {
    this.#cache = cache === false ? undefined : new VerifiedCache<string>(cache);
  }

  /** A signed access token for `userId` at `now` (ms); `exp` is `now + ttl`, in whole seconds, never later. */
  async mint(
    userId: string,
    claims: ExtraClaims,
    family: string | undefined,
    now: number,
    jkt?: string,
  ): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((now + this.ttlMs) / 1000);
    const payload: JWTPayload = {
      ...claims,
      sub: userId,
      jti: newSecret(this.random),
      iat,
      exp,
      ...(family === undefined ? {} : { sid: family }),
      ...(this.expect.issuer === undefined ? {} : { iss: this.expect.issuer }),
      ...(this.expect.audience === undefined ? {} : { aud: this.expect.audience }),
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
    };
    return { token: await this.keys.sign(payload, ACCESS_TOKEN_TYPE), expiresAt: exp * 1000 };
  }

  /** Signature and claims only, with the cache; no revocation check. */
  async verifySignature(
    token: string,
    now: number,
  ): Promise<{ ok: true; claims: AccessClaims } | { ok: false; reason: VerifyFailure }> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192)
      return { ok: false, reason: 'malformed' };
    const key = this.#cache ? VerifiedCache.keyOf(token) : '';
    const cached = this.#cache?.get(key, now);
    if (cached !== undefined) {
      const claims = JSON.parse(cached) as AccessClaims;
      // The cache keeps a token no longer than its exp, but the clock decides, every time.
      if (now >= claims.exp * 1000) return { ok: false, reason: 'expired' };
      return { ok: true, claims };
    }
    const result = await this.keys.verify(token, {
      typ: ACCESS_TOKEN_TYPE,
      now,
      maxAgeSeconds: Math.ceil(this.ttlMs / 1000),
      requiredClaims: ['sub', 'jti'],
      ...this.expect,
    });
    if (!result.ok) return result;
    const p = result.payload;
    if (
      typeof p.sub !== 'string' ||
      typeof p.jti !== 'string' ||
      typeof p.iat !== 'number' ||
      typeof p.exp !== 'number'
    ) {
      return { ok: false, reason: 'wrong-claims' };
    }
    const claims = p as AccessClaims;
    this.#cache?.set(key, JSON.stringify(claims), claims.exp * 1000, now);
    return { ok: true, claims };
  }

  async verify(token: string, now: number): Promise<AccessVerdict> {
    const checked = await this.verifySignature(token, now);
    if (!checked.ok) return { valid: false, reason: checked.reason };
    const { claims } = checked;
    const revoked = await this.revocation.check({
      jti: claims.jti,
      userId: claims.sub,
      issuedAt: claims.iat * 1000,
      ...(typeof claims.sid === 'string' ? { family: claims.sid } : {}),
    });
    if (revoked) return { valid: false, reason: 'revoked' };
    return { valid: true, claims };
  }

  /** Deny this token until its own expiry. `false` when it is not a token of ours (or already expired). */
  async revoke(token: string, now: number): Promise<boolean> {
    const checked = await this.verifySignature(token, now);
    if (!checked.ok) return false;
    await this.revocation.revokeJti(
      checked.claims.jti,
      checked.claims.exp * 1000,
      checked.claims.sub,
    );
    return true;
  }
}
