/**
 * Errors with stable codes, in the manner of jose's `JOSEError`: one base class,
 * one subclass per failure, and a union of every code so callers can `switch`
 * exhaustively. Messages name the field at fault and the exact limit.
 */

/** Every code a {@link LatchkeyError} can carry. */
export type LatchkeyErrorCode =
  | 'ERR_POLICY_INVALID'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_COOKIE_INVALID'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_TIMEOUT'
  | 'ERR_STORE_CAPABILITY'
  | 'ERR_SESSION_LIMIT'
  | 'ERR_SESSION_CONFLICT'
  | 'ERR_SESSION_REQUIRED'
  | 'ERR_SESSION_COMMITTED'
  | 'ERR_DPOP_PROOF';

/**
 * Base class of every error Latchkey throws on purpose.
 *
 * @example
 * try { await session.load() } catch (e) {
 *   if (e instanceof LatchkeyError && e.code === 'ERR_STORE_UNAVAILABLE') return new Response('try later', { status: 503 })
 * }
 */
export class LatchkeyError extends Error {
  static readonly code: LatchkeyErrorCode = 'ERR_CONFIG_INVALID';
  readonly code: LatchkeyErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as typeof LatchkeyError).code;
  }
}

/** A policy option is missing, non-positive, or contradicts another (the message names the field). */
export class PolicyError extends LatchkeyError {
  static override readonly code = 'ERR_POLICY_INVALID' as const;
  /** The policy field at fault, e.g. `idleTimeout`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`policy.${field}: ${message}`);
    this.field = field;
  }
}

/** A configuration option other than the policy is wrong (secrets, store, limits). */
export class ConfigError extends LatchkeyError {
  static override readonly code = 'ERR_CONFIG_INVALID' as const;
}

/** A cookie name, value or attribute that RFC 6265bis does not allow. */
export class CookieError extends LatchkeyError {
  static override readonly code = 'ERR_COOKIE_INVALID' as const;
}

/**
 * The store failed (network, timeout, corrupt value). Latchkey fails closed:
 * the request is neither treated as logged in nor as logged out.
 */
export class StoreError extends LatchkeyError {
  static override readonly code: 'ERR_STORE_UNAVAILABLE' | 'ERR_STORE_TIMEOUT' =
    'ERR_STORE_UNAVAILABLE';
  /** What the engine was doing: `read`, `write`, `delete`, `index`, `consume`, `decode`. */
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`store ${operation} failed: ${message}`, options);
    this.operation = operation;
  }
}

/**
 * A store call did not settle within the engine's `storeTimeout`: the store is
 * hung (paused, partitioned, overloaded) rather than down. A `StoreError`, so
 * it fails closed and answers 503 the same way; its own code tells the two apart.
 */
export class StoreTimeoutError extends StoreError {
  static override readonly code = 'ERR_STORE_TIMEOUT' as const;
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super(operation, `no answer within ${timeoutMs} ms (storeTimeout)`);
    this.timeoutMs = timeoutMs;
  }
}

/** A feature needs a store capability (user index, consume-once, compare-and-set) that the configured store lacks. */
export class StoreCapabilityError extends LatchkeyError {
  static override readonly code = 'ERR_STORE_CAPABILITY' as const;
  readonly capability: string;
  constructor(capability: string, feature: string, storeName: string) {
    super(
      `${feature} needs a store with the '${capability}' capability; ${storeName} does not provide it`,
    );
    this.capability = capability;
  }
}

/** Login refused because the user already has the maximum number of concurrent sessions. */
export class SessionLimitError extends LatchkeyError {
  static override readonly code = 'ERR_SESSION_LIMIT' as const;
  readonly limit: number;
  constructor(limit: number) {
    super(`the user already has ${limit} active sessions, the configured maximum`);
    this.limit = limit;
  }
}

/** A write lost a race against a newer version of the same session (two tabs writing at once). */
export class SessionConflictError extends LatchkeyError {
  static override readonly code = 'ERR_SESSION_CONFLICT' as const;
}

/** An operation that needs a loaded session (logout, regenerate, set) was called without one. */
export class SessionRequiredError extends LatchkeyError {
  static override readonly code = 'ERR_SESSION_REQUIRED' as const;
}

/** The request's session was used after `commit()`: its headers have already left with the response. */
export class SessionCommittedError extends LatchkeyError {
  static override readonly code = 'ERR_SESSION_COMMITTED' as const;
}

/** A DPoP proof given to `issue()` was refused: `refusal` says why (answer it with `dpopErrorResponse`). */
export class DpopProofError extends LatchkeyError {
  static override readonly code = 'ERR_DPOP_PROOF' as const;
  readonly refusal: {
    error: 'invalid_dpop_proof' | 'use_dpop_nonce';
    reason: string;
    detail: string;
  };
  constructor(refusal: DpopProofError['refusal']) {
    super(`the DPoP proof was refused (${refusal.reason}): ${refusal.detail}`);
    this.refusal = refusal;
  }
}
