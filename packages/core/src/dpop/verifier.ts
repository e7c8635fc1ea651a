/**
 * DPoP proof checks (RFC 9449 §4.3) on top of the shared `verifyProof`: `htm`, `htu` (on the
 * trusted external origin, query and fragment stripped), `iat` in a window, `jti` unseen in it
 * (a replay cache in the store), `ath` for access tokens, the bound key, and server nonces.
 */
import { type Clock, systemClock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
import { ConfigError, StoreCapabilityError } from '../errors.js';
import type { EventSink } from '../events.js';
import { verifyProof, type ProofAlgorithm, type ProofFailure } from '../proof/verify-proof.js';
import { hashSecret } from '../random.js';
import { StoreDeadline } from '../store/deadline.js';
import { StoreAccess, ttl } from '../store/typed-store.js';
import type { SessionStore } from '../store/types.js';
import type { JWK } from '../tokens/jose-types.js';
import { sameHash } from '../remember-me/device-token.js';
import { accessTokenHash } from './ath.js';
import { createDpopNonces, type DpopNonceOptions } from './nonce.js';

/** Options for {@link createDpopVerifier}. */
export interface DpopVerifierOptions {
  /**
   * The API's external origin, as clients call it (`https://api.example.com`): `htu` is checked
   * against it plus the request's path. A setting, never read from `Host` or forwarded headers.
   * An API reached under several origins (`api.example.com` and `api.example.eu`) lists them all:
   * a proof for any of them, plus the request's path, is accepted.
   */
  origin: string | readonly string[];
  /** The replay cache (`jti` seen): needs atomic `compareAndSet` (memory, Redis, SQL, Deno KV). */
  store: SessionStore;
  clock?: Clock;
  /** How old a proof's `iat` may be. Default 60 s. */
  iatWindow?: Duration;
  /** How far into the future `iat` may be (client clocks run fast). Default 5 s. */
  clockSkew?: Duration;
  /** Accepted proof algorithms. Default ES256, ES384, ES512, PS256, RS256, EdDSA. */
  algorithms?: readonly ProofAlgorithm[];
  /** Require server nonces (`DPoP-Nonce`), stateless HMAC time steps. Off by default. */
  nonce?: DpopNonceOptions;
  /** Store key prefix. Default `lk:`. */
  keyPrefix?: string;
  /** Most time one store call may take (`StoreTimeoutError`). Default `'500ms'`; `false` for none. */
  storeTimeout?: Duration | false;
  onEvent?: EventSink;
}

/** The parts of a request a proof is checked against; a `Request` gives them itself. */
export interface DpopRequest {
  /** The `DPoP` header's value (`null` when absent). */
  proof: string | null | undefined;
  method: string;
  /** The request URL; only its path is used (the origin is the trusted setting). */
  url: string;
}

/** What else a proof must match: the access token it comes with (`ath`), the key a token is bound to. */
export interface DpopCheck {
  accessToken?: string;
  /** The RFC 7638 thumbprint the proof's key must have (`cnf.jkt`, a bound refresh family). */
  jkt?: string;
}

/** Why a proof was refused. `nonce`: missing or stale server nonce (answer `use_dpop_nonce`). */
export type DpopFailure =
  | ProofFailure
  | 'missing'
  | 'multiple'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'jti'
  | 'replay'
  | 'ath'
  | 'jkt'
  | 'nonce';

/** The RFC 9449 error code a refusal is answered with. */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

/** A refused proof: the error to answer with and a stable reason. */
export interface DpopRefusal {
  valid: false;
  error: DpopErrorCode;
  reason: DpopFailure;
  detail: string;
}

/** The verdict on a proof. */
export type DpopVerdict =
  | {
      valid: true;
      /** The key's RFC 7638 thumbprint: what `cnf.jkt` holds. */
      jkt: string;
      jwk: JWK;
      alg: ProofAlgorithm;
      claims: Record<string, unknown>;
    }
  | DpopRefusal;

/** A configured verifier. */
export interface DpopVerifier {
  /** The first trusted origin. */
  readonly origin: string;
  /** Every trusted origin. */
  readonly origins: readonly string[];
  readonly algorithms: readonly ProofAlgorithm[];
  /** Check the proof of `input` (a `Request`, or its parts). Never throws for a bad proof; a store failure rejects (`StoreError`). */
  verify(input: Request | DpopRequest, check?: DpopCheck): Promise<DpopVerdict>;
  /** The current server nonce for `DPoP-Nonce`, or `null` when nonces are off. */
  nonce(): string | null;
}

const ALL_ALGORITHMS: readonly ProofAlgorithm[] = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'RS256',
  'EdDSA',
];
const MAX_JTI = 256;

const refuse = (reason: DpopFailure, detail: string): DpopRefusal => ({
  valid: false,
  error: reason === 'nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof',
  reason,
  detail,
});

function trustedOrigin(origin: unknown): string {
  let url: URL;
  try {
    url = new URL(String(origin));
  } catch {
    throw new ConfigError(`dpop origin: expected an origin such as https://api.example.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search)
    throw new ConfigError(`dpop origin: expected a bare http(s) origin, got ${String(origin)}`);
  return url.origin;
}

function trustedOrigins(origin: unknown): string[] {
  const list = Array.isArray(origin) ? origin : [origin];
  if (list.length === 0)
    throw new ConfigError(
      'dpop origin: expected at least one origin such as https://api.example.com',
    );
  return [...new Set(list.map(trustedOrigin))];
}

/** The request's `htu` (RFC 9449 §4.2): the trusted origin and the request's path, no query or fragment. */
function expectedHtu(origin: string, url: string): string | null {
  try {
    // Concatenated, not resolved: a path such as `//other.example/x` stays a path on `origin`.
    const target = new URL(origin + new URL(url, origin).pathname);
    return target.origin + target.pathname;
  } catch {
    return null;
  }
}

/** The proof's `htu`, normalized the same way (RFC 3986 §6.2.2–6.2.3 via the URL parser), query and fragment dropped. */
function proofHtu(htu: unknown): string | null {
  if (typeof htu !== 'string' || htu.length > 4096) return null;
  try {
    const url = new URL(htu);
    return url.origin + url.pathname;
  } catch {
    return null;
  }
}

function requestParts(input: Request | DpopRequest): DpopRequest {
  if (typeof Request === 'function' && input instanceof Request)
    return { proof: input.headers.get('dpop'), method: input.method, url: input.url };
  return input as DpopRequest;
}

/**
 * Create a DPoP proof verifier. Throws `StoreCapabilityError` for a store without
 * `compareAndSet` (the replay cache must refuse a second write of the same `jti`).
 *
 * @example
 * const dpop = createDpopVerifier({ origin: 'https://api.example.com', store: new MemoryStore() });
 * const verdict = await dpop.verify(request);
 * if (verdict.valid) console.log(verdict.jkt);
 */
export function createDpopVerifier(options: DpopVerifierOptions): DpopVerifier {
  if (!options || typeof options !== 'object')
    throw new TypeError('createDpopVerifier: expected an options object');
  const origins = trustedOrigins(options.origin);
  const clock = options.clock ?? systemClock;
  const deadline = StoreDeadline.of('createDpopVerifier', options.storeTimeout);
  const stored = StoreAccess.checked(options.store, () => clock.now(), options.onEvent, deadline);
  if (typeof options.store.compareAndSet !== 'function')
    throw new StoreCapabilityError('compareAndSet', 'the DPoP replay cache', options.store.name);
  const window = toMillis(options.iatWindow ?? '60s');
  const skew = toMillis(options.clockSkew ?? '5s');
  if (!(window > 0)) throw new RangeError('iatWindow: expected a positive duration');
  if (!(skew >= 0)) throw new RangeError('clockSkew: expected zero or a positive duration');
  const algorithms = [...(options.algorithms ?? ALL_ALGORITHMS)];
  if (algorithms.length === 0) throw new RangeError('algorithms: expected at least one');
  const nonces = options.nonce ? createDpopNonces(options.nonce, clock) : null;
  const prefix = `${options.keyPrefix ?? 'lk:'}dpop:`;

  async function verify(input: Request | DpopRequest, check: DpopCheck = {}): Promise<DpopVerdict> {
    const { proof, method, url } = requestParts(input ?? ({} as DpopRequest));
    if (typeof proof !== 'string' || proof.trim() === '')
      return refuse('missing', 'the request carries no DPoP proof');
    // RFC 9449 §4.3 step 1: exactly one DPoP header; a list joined by the Headers API has a comma.
    if (proof.includes(','))
      return refuse('multiple', 'the request carries more than one DPoP header');
    const verdict = await verifyProof(proof.trim(), { typ: 'dpop+jwt', algorithms });
    if (!verdict.valid) return refuse(verdict.reason, verdict.detail);
    const { claims } = verdict;
    if (claims.htm !== method) return refuse('htm', `htm must be the request's method, ${method}`);
    const wanted =
      typeof url === 'string'
        ? origins.map((o) => expectedHtu(o, url)).filter((w) => w !== null)
        : [];
    const htu = proofHtu(claims.htu);
    if (htu === null || !wanted.includes(htu))
      return refuse(
        'htu',
        `htu must be ${wanted.length > 0 ? wanted.join(' or ') : 'the request URL'} (without query and fragment)`,
      );
    const now = clock.now();
    const iat = claims.iat;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return refuse('iat', 'iat is missing');
    if (iat * 1000 < now - window) return refuse('iat', 'the proof is too old (iat)');
    if (iat * 1000 > now + skew) return refuse('iat', 'the proof is from the future (iat)');
    const jti = claims.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI)
      return refuse('jti', `jti must be a string of 1 to ${MAX_JTI} characters`);
    if (
      check.accessToken !== undefined &&
      !sameHash(claims.ath as string, accessTokenHash(check.accessToken))
    )
      return refuse('ath', 'ath does not match the access token');
    const jkt = verdict.thumbprint!;
    if (check.jkt !== undefined && jkt !== check.jkt)
      return refuse('jkt', 'the proof is signed by a key other than the one the token is bound to');
    if (nonces && !nonces.check(claims.nonce))
      return refuse(
        'nonce',
        claims.nonce === undefined ? 'a server nonce is required' : 'the nonce is stale',
      );
    // Last, so a refused proof does not spend its jti. Remembered as long as its iat is accepted.
    const key = prefix + hashSecret(`${jkt} ${jti}`);
    const fresh = await stored.run('write', () =>
      options.store.compareAndSet!(key, null, '1', ttl(window + skew)),
    );
    if (!fresh) return refuse('replay', 'this proof (jti) was used before');
    return { valid: true, jkt, jwk: verdict.jwk!, alg: verdict.alg as ProofAlgorithm, claims };
  }

  return {
    origin: origins[0]!,
    origins,
    algorithms,
    verify,
    nonce: () => nonces?.current() ?? null,
  };
}

/**
 * Check one proof without keeping a verifier (a verifier per call: prefer {@link createDpopVerifier}).
 *
 * @example
 * const verdict = await verifyDpopProof(request, { origin: 'https://api.example.com', store });
 */
export function verifyDpopProof(
  input: Request | DpopRequest,
  options: DpopVerifierOptions & DpopCheck,
): Promise<DpopVerdict> {
  const { accessToken, jkt, ...rest } = options;
  return createDpopVerifier(rest).verify(input, { accessToken, jkt });
}
