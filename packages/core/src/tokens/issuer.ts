/**
 * The token issuer for API clients and single-page apps: short-lived access
 * JWTs plus rotating, reuse-detecting refresh tokens (see refresh.ts), with
 * revocation (see revocation.ts) and a cookie helper for browser clients.
 * Every time decision reads the injected clock.
 */

import type { ExpiryKind } from '../decide.js';
import { type Clock, systemClock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
import { ConfigError, PolicyError } from '../errors.js';
import { emit, type EventSink } from '../events.js';
import { definePolicy, type PolicyOptions, type SessionPolicy } from '../policy.js';
import { cryptoRandom, isSecretShaped, newSecret, type RandomSource } from '../random.js';
import type { SessionStore } from '../store/types.js';
import { AccessTokens, checkClaims, type AccessVerdict } from './access.js';
import { createKeySet, type KeyConfig, type KeySet } from './keys.js';
import {
  openSuccessor,
  RefreshStore,
  sealSuccessor,
  type FamilyRecord,
  type RefreshTokenRecord,
  type SealedPair,
} from './refresh.js';
import {
  createRefreshCookie,
  type RefreshCookie,
  type RefreshCookieOptions,
} from './refresh-cookie.js';
import { createRevocation, type Revocation } from './revocation.js';
import { DEFAULT_STORE_TIMEOUT_MS, StoreDeadline } from '../store/deadline.js';
import { StoreAccess, ttl } from '../store/typed-store.js';
import type { DpopRefusal, DpopVerifier } from '../dpop/verifier.js';
import { bindingOf, proofRefusal, type DpopEvidence } from './dpop-binding.js';

/** Options for {@link createTokenIssuer}. */
export interface TokenIssuerOptions {
  /** A key set, or key configurations for one (the first signs, all verify). */
  keys: KeySet | readonly KeyConfig[];
  /** Needs atomic `compareAndSet` or `consume` (memory, Redis, Deno KV, Durable Objects). */
  store: SessionStore;
  /** Needs `accessTokenTtl` and `refreshTokenTtl`; `absoluteTimeout` caps each refresh-token family (e.g. `presets.api`). */
  policy: SessionPolicy | PolicyOptions;
  clock?: Clock;
  random?: RandomSource;
  onEvent?: EventSink;
  /** How long a used refresh token still yields its (same) successor to a concurrent caller. Default 5 s; `0` turns it off. */
  reuseGrace?: Duration;
  /** `iss` claim set and required. */
  issuer?: string;
  /** `aud` claim set and required. */
  audience?: string | string[];
  /** Store key prefix. Default `lk:`. */
  keyPrefix?: string;
  /** A shared revocation registry (e.g. the one sealed sessions check). Default: one on `store`. */
  revocation?: Revocation;
  /** Cache of verified access tokens (saves the signature check only). Default `{ maxEntries: 1000 }`; `false` turns it off. */
  cache?: { maxEntries?: number } | false;
  /** The refresh-token cookie for browser clients. */
  cookie?: RefreshCookieOptions;
  /** Most time one store call may take before it fails closed (`StoreTimeoutError`, a 503). Default `'500ms'`; `false` for none. */
  storeTimeout?: Duration | false;
  /** DPoP (RFC 9449): the verifier that checks proofs given as requests (`createDpopVerifier`). */
  dpop?: DpopVerifier;
}

/** Options of `issue`: `dpop` binds the family and its access tokens (`cnf.jkt`) to the proof's key. */
export interface IssueOptions {
  dpop?: DpopEvidence;
}

/** Options of `refresh` and `verifyAccess`: the DPoP proof of the request, required for bound tokens. */
export interface ProofOptions {
  dpop?: DpopEvidence;
}

/** A freshly issued pair. Lifetimes in seconds, as OAuth's `expires_in`. */
export interface TokenPair {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds until the refresh token expires unused (never past its family's absolute expiry). */
  refreshExpiresIn: number;
}

/** Why a refresh was refused. */
export type RefreshInvalidReason =
  /** Not shaped like a refresh token: never looked up. */
  | 'malformed'
  /** Never issued, or gone after its expiry. */
  | 'unknown'
  /** Unused for longer than `refreshTokenTtl` (`expired-idle`), or the family reached the policy's absolute lifetime (`expired-absolute`). */
  | `expired-${ExpiryKind}`
  /** The family was revoked (logout, reuse detected earlier) or the user logged out everywhere. */
  | 'revoked'
  /** This token was already used, outside the grace window: the family is now revoked (RFC 9700 §4.14.2). */
  | 'reuse-detected'
  /** The family is bound to a DPoP key and the request did not prove it: nothing changed (RFC 9449 §5). */
  | 'dpop-proof';

export type RefreshOutcome =
  | { valid: true; tokens: TokenPair }
  | { valid: false; reason: RefreshInvalidReason; dpop?: DpopRefusal };

/** The issuer. */
export interface TokenIssuer {
  readonly keys: KeySet;
  readonly revocation: Revocation;
  /** The DPoP verifier given in the options, if any. */
  readonly dpop?: DpopVerifier;
  /** Sign a user in: a new family, an access token and a refresh token. `claims` are added to every access token of the family; `dpop` binds them to a key (a refused proof throws `DpopProofError`). */
  issue(
    userId: string,
    claims?: Record<string, unknown>,
    options?: IssueOptions,
  ): Promise<TokenPair>;
  /** Rotate: the presented refresh token is used up and a new pair returned, or a reason it was refused. A bound family needs `dpop`, checked before anything else. Never throws for a bad token. */
  refresh(refreshToken: string, options?: ProofOptions): Promise<RefreshOutcome>;
  /** Verify an access token, revocation included; a DPoP-bound one (`cnf.jkt`) needs `dpop` with `ath`. Never throws for a bad token. */
  verifyAccess(accessToken: string, options?: ProofOptions): Promise<AccessVerdict>;
  /** Revoke the family of this refresh token (logout on this device). `false` when it was not a live token of ours, or a bound family's proof (`dpop`) is missing or refused. */
  revokeRefreshToken(refreshToken: string, options?: ProofOptions): Promise<boolean>;
  /** Deny this access token until its own expiry. `false` when it is not a valid token of ours. */
  revokeAccessToken(accessToken: string): Promise<boolean>;
  /** Log out everywhere: every token and family of the user issued before now is refused. */
  setNotBefore(userId: string): Promise<number>;
  /** Logout on this device: revoke the refresh family and deny the access token, whichever are given. */
  logout(tokens: {
    accessToken?: string;
    refreshToken?: string;
    dpop?: DpopEvidence;
  }): Promise<void>;
  /** Set-Cookie for the refresh token (HttpOnly, Secure, SameSite=Strict, scoped to the refresh path). */
  refreshCookie(tokens: TokenPair | string): string;
  /** Set-Cookie that deletes the refresh cookie. */
  clearRefreshCookie(): string;
  /** The refresh token from the request's cookie, or `undefined` (JSON clients send it in the body instead). */
  readRefreshToken(request: Request): string | undefined;
}

const MAX_WAIT_STEPS = [0, 5, 10, 25, 50, 100, 200];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Math.max(0, Math.floor(ms / 1000));

function resolvePolicy(p: SessionPolicy | PolicyOptions): SessionPolicy {
  const policy =
    typeof (p as SessionPolicy).touchInterval === 'number' && 'renewGrace' in p
      ? (p as SessionPolicy)
      : definePolicy(p as PolicyOptions);
  if (policy.accessTokenTtl === false)
    throw new PolicyError(
      'accessTokenTtl',
      'the token issuer needs an access-token lifetime (e.g. presets.api: 5m)',
    );
  if (policy.refreshTokenTtl === false)
    throw new PolicyError(
      'refreshTokenTtl',
      'the token issuer needs a refresh-token lifetime (e.g. presets.api: 14d)',
    );
  return policy;
}

/**
 * Create the token issuer. Fails at construction for a store without atomic
 * consume-once or compare-and-set (`StoreCapabilityError`), an empty key list
 * or a short secret, and a policy without token lifetimes.
 *
 * @example
 * const tokens = createTokenIssuer({
 *   keys: [{ kid: 'k1', alg: 'HS256', secret: env.TOKEN_SECRET }],
 *   store: new MemoryStore(),
 *   policy: presets.api,
 * });
 * const pair = await tokens.issue('ada');          // after checking the password
 * const next = await tokens.refresh(pair.refreshToken);
 * const verdict = await tokens.verifyAccess(next.valid ? next.tokens.accessToken : '');
 */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  if (!options || typeof options !== 'object')
    throw new TypeError('createTokenIssuer: expected an options object');
  const policy = resolvePolicy(options.policy);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const sink = options.onEvent;
  const keys = Array.isArray(options.keys) ? createKeySet(options.keys) : (options.keys as KeySet);
  if (!keys || typeof keys.sign !== 'function')
    throw new TypeError('keys: expected a key set or an array of key configurations');
  const prefix = options.keyPrefix ?? 'lk:';
  const deadline = StoreDeadline.of('createTokenIssuer', options.storeTimeout);
  const stored = StoreAccess.checked(options.store, () => clock.now(), sink, deadline);
  stored.requireAtomic('refresh-token rotation');
  const grace = toMillis(options.reuseGrace ?? 5000);
  if (!(grace >= 0))
    throw new ConfigError(
      `reuseGrace must be zero or a positive duration, got ${JSON.stringify(options.reuseGrace)}`,
    );
  const accessTtl = policy.accessTokenTtl as number;
  const refreshTtl = policy.refreshTokenTtl as number;
  // ASVS V10.4.8: the family's absolute lifetime is the policy's absolute timeout, whatever the refresh TTL says.
  const familyLifetime = policy.absoluteTimeout;
  const revocation =
    options.revocation ??
    createRevocation({
      store: options.store,
      clock,
      onEvent: sink,
      keyPrefix: prefix,
      horizon: Math.max(familyLifetime, accessTtl),
      storeTimeout: options.storeTimeout ?? DEFAULT_STORE_TIMEOUT_MS,
    });
  const access = new AccessTokens(
    keys,
    revocation,
    random,
    accessTtl,
    { issuer: options.issuer, audience: options.audience },
    options.cache ?? {},
  );
  const refreshStore = new RefreshStore(stored, prefix, random, policy.expiryNotice);
  const { tokens, successors } = refreshStore;
  const cookie: RefreshCookie = createRefreshCookie(options.cookie ?? {});
  const useCas = stored.hasCompareAndSet;

  const toPair = (p: SealedPair, now: number): TokenPair => ({
    accessToken: p.accessToken,
    expiresIn: seconds(p.accessExpiresAt - now),
    refreshToken: p.refreshToken,
    refreshExpiresIn: seconds(p.refreshExpiresAt - now),
  });

  async function mintPair(
    family: FamilyRecord & { id: string },
    now: number,
  ): Promise<SealedPair & { id: string }> {
    const next = await refreshStore.newToken(family, refreshTtl, now);
    const at = await access.mint(family.uid, family.claims, family.id, now, family.jkt);
    return {
      accessToken: at.token,
      accessExpiresAt: at.expiresAt,
      refreshToken: next.token,
      refreshExpiresAt: next.expiresAt,
      id: next.id,
    };
  }

  async function revokeFamily(
    id: string,
    family: FamilyRecord,
    now: number,
    cause: 'reuse' | 'logout',
  ): Promise<void> {
    if (family.revokedAt !== null) return;
    await refreshStore.writeFamily(id, { ...family, revokedAt: now }, now);
    // The access tokens already minted from it go too (ASVS V7.4.1), until the last one expires.
    await revocation.revokeFamily(family.uid, id, now + accessTtl + 1000);
    emit(sink, { type: 'family-revoked', at: now, userId: family.uid, family: id, cause });
  }

  /** Read a token record; with consume-only stores a record being rotated is briefly absent, so wait for the winner's write. */
  async function readToken(id: string, waitForWinner: boolean) {
    for (const step of waitForWinner ? MAX_WAIT_STEPS : [0]) {
      if (step > 0) await sleep(step);
      const read = await tokens.read(id);
      if (read) return read;
    }
    return null;
  }

  /** The decision on a `used` token: the same successor inside the grace window, family revocation outside it. */
  async function usedToken(
    presented: string,
    record: Extract<RefreshTokenRecord, { state: 'used' }>,
    family: FamilyRecord,
    now: number,
  ): Promise<RefreshOutcome> {
    if (now - record.usedAt < grace) {
      const sealed = await successors.read(refreshStore.successorId(presented, record.successor));
      const pair = sealed ? await openSuccessor(presented, sealed.value.jwe) : null;
      // Only the current token's predecessor is honoured: once the successor was itself used, this token is two rotations back.
      // (A consume-only store briefly holds no record while the successor is being rotated: wait for that write.)
      const successor = pair
        ? await readToken(refreshStore.tokenId(pair.refreshToken), !useCas)
        : null;
      if (pair && successor?.value.state === 'active') {
        emit(sink, {
          type: 'token-refreshed',
          at: now,
          userId: family.uid,
          family: record.family,
          concurrent: true,
        });
        return { valid: true, tokens: toPair(pair, now) };
      }
    }
    emit(sink, { type: 'refresh-reuse', at: now, userId: family.uid, family: record.family });
    await revokeFamily(record.family, family, now, 'reuse');
    return { valid: false, reason: 'reuse-detected' };
  }

  async function refresh(presented: string, proof: ProofOptions = {}): Promise<RefreshOutcome> {
    if (typeof presented !== 'string' || !isSecretShaped(presented))
      return { valid: false, reason: 'malformed' };
    const id = refreshStore.tokenId(presented);
    let lost = false;
    // Checked once per call (a retry after a lost race would otherwise see its own jti as a replay).
    let proved: Promise<DpopRefusal | null> | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await readToken(id, lost && !useCas);
      if (!read) return { valid: false, reason: 'unknown' };
      const record = read.value;
      const now = clock.now();
      const family = await refreshStore.readFamily(record.family);
      if (!family || family.uid !== record.uid) return { valid: false, reason: 'unknown' };
      // RFC 9449 §5: a bound family's token is worth nothing without its key. Before reuse detection,
      // so a thief holding an old or current token but not the key changes nothing, revokes nothing.
      if (family.jkt !== undefined) {
        proved ??= proofRefusal(options.dpop, proof.dpop, family.jkt);
        const refused = await proved;
        if (refused) {
          if (refused.reason !== 'nonce' && attempt === 0)
            emit(sink, {
              type: 'token-proof-refused',
              at: now,
              userId: family.uid,
              family: record.family,
              reason: refused.reason,
            });
          return { valid: false, reason: 'dpop-proof', dpop: refused };
        }
      }
      if (family.revokedAt !== null) {
        emit(sink, {
          type: 'token-revoked-used',
          at: now,
          userId: family.uid,
          cause: 'family',
          family: record.family,
        });
        return { valid: false, reason: 'revoked' };
      }
      if (now >= family.expiresAt) return { valid: false, reason: 'expired-absolute' };
      if (await revocation.check({ userId: family.uid, issuedAt: family.createdAt }))
        return { valid: false, reason: 'revoked' };
      if (record.state === 'used') return usedToken(presented, record, family, now);
      if (now >= record.idleAt) return { valid: false, reason: 'expired-idle' };

      // Prepare the successor first (its record written), then try to be the one rotation that wins.
      const familyId = record.family;
      const pair = await mintPair({ ...family, id: familyId }, now);
      // The successor pair, sealed under the presented token, lives for the grace window only, under a key of its own.
      const nonce = newSecret(random);
      const successorId = refreshStore.successorId(presented, nonce);
      if (grace > 0)
        await successors.write(
          successorId,
          { t: 'rts', jwe: await sealSuccessor(presented, pair) },
          grace,
        );
      const used: RefreshTokenRecord = {
        t: 'rt',
        state: 'used',
        family: familyId,
        uid: record.uid,
        usedAt: now,
        expiresAt: family.expiresAt,
        successor: nonce,
      };
      const usedTtl = family.expiresAt - now + policy.expiryNotice;
      let won: boolean;
      if (useCas) {
        won = (await tokens.replace(id, read.raw, used, usedTtl)) !== null;
      } else {
        const taken = await tokens.consume(id);
        won = taken?.raw === read.raw;
        // Consumed something newer than what we read (another rotation's `used` record): put it back, byte for byte.
        if (taken !== null && !won)
          await stored.run('write', () =>
            options.store.set(tokens.key(id), taken.raw, ttl(usedTtl)),
          );
        else if (won) await tokens.write(id, used, usedTtl);
      }
      if (won) {
        emit(sink, {
          type: 'token-refreshed',
          at: now,
          userId: family.uid,
          family: familyId,
          concurrent: false,
        });
        return { valid: true, tokens: toPair(pair, now) };
      }
      await tokens.delete(pair.id);
      if (grace > 0) await successors.delete(successorId);
      lost = true;
    }
    return { valid: false, reason: 'unknown' };
  }

  async function revokeRefreshToken(presented: string, proof: ProofOptions = {}): Promise<boolean> {
    if (typeof presented !== 'string' || !isSecretShaped(presented)) return false;
    const read = await tokens.read(refreshStore.tokenId(presented));
    if (!read) return false;
    const family = await refreshStore.readFamily(read.value.family);
    if (!family || family.revokedAt !== null) return false;
    // A thief holding a bound family's refresh token cannot log its owner out either.
    if (family.jkt !== undefined && (await proofRefusal(options.dpop, proof.dpop, family.jkt)))
      return false;
    await revokeFamily(read.value.family, family, clock.now(), 'logout');
    return true;
  }

  async function verifyAccess(token: string, proof: ProofOptions = {}): Promise<AccessVerdict> {
    const verdict = await access.verify(token, clock.now());
    const jkt = verdict.valid ? verdict.claims.cnf?.jkt : undefined;
    if (jkt === undefined) return verdict;
    const refused =
      typeof jkt === 'string'
        ? await proofRefusal(options.dpop, proof.dpop, jkt, token)
        : await proofRefusal(undefined, undefined, '', token);
    return refused ? { valid: false, reason: 'dpop-proof', dpop: refused } : verdict;
  }

  return {
    keys,
    revocation,
    ...(options.dpop ? { dpop: options.dpop } : {}),
    async issue(userId, claims, issueOptions = {}) {
      if (typeof userId !== 'string' || userId === '')
        throw new TypeError('issue: userId must be a non-empty string');
      const extra = checkClaims(claims);
      const jkt =
        issueOptions.dpop === undefined
          ? undefined
          : await bindingOf(options.dpop, issueOptions.dpop);
      const now = clock.now();
      const id = newSecret(random);
      const family: FamilyRecord = {
        t: 'rf',
        uid: userId,
        createdAt: now,
        expiresAt: now + familyLifetime,
        revokedAt: null,
        claims: extra,
        ...(jkt === undefined ? {} : { jkt }),
      };
      await refreshStore.writeFamily(id, family, now);
      const pair = await mintPair({ ...family, id }, now);
      emit(sink, { type: 'token-issued', at: now, userId, family: id });
      return toPair(pair, now);
    },
    refresh,
    verifyAccess,
    revokeRefreshToken,
    revokeAccessToken: (token) => access.revoke(token, clock.now()),
    setNotBefore: (userId) => revocation.setNotBefore(userId),
    async logout({ accessToken, refreshToken, dpop }) {
      if (refreshToken !== undefined) await revokeRefreshToken(refreshToken, { dpop });
      if (accessToken !== undefined) await access.revoke(accessToken, clock.now());
    },
    refreshCookie(tokens) {
      const now = clock.now();
      if (typeof tokens === 'string') return cookie.serialize(tokens, seconds(refreshTtl), now);
      return cookie.serialize(tokens.refreshToken, tokens.refreshExpiresIn, now);
    },
    clearRefreshCookie: () => cookie.clear(),
    readRefreshToken: (request) => cookie.read(request),
  };
}
