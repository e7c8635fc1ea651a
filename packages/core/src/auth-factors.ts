/**
 * The factors that authenticated a session: per method, when it last succeeded
 * and whether the authenticator verified the user (WebAuthn's UV flag). Pure
 * values and checks; step-up.ts judges them, record.ts stores them compactly.
 */

/**
 * How the user proved who they are. An open set: these names are suggested,
 * any lower-case name up to 32 characters (`[a-z][a-z0-9._:-]*`) is accepted.
 * `unspecified` is what a `login()` without a method records.
 */
export type AuthMethod =
  | 'password'
  | 'passkey'
  | 'otp'
  | 'totp'
  | 'sms'
  | 'email-link'
  | 'oauth'
  | 'unspecified'
  | (string & {});

/** One factor of a session, as `session.factors` reads it. */
export interface AuthFactor {
  method: AuthMethod;
  /** When the factor last succeeded, in ms since the epoch of the engine's clock. */
  at: number;
  /** The authenticator verified the user (PIN, biometrics: WebAuthn UV); always `false` for a password. */
  userVerified: boolean;
}

/** The record's compact form, one entry per method: `{ passkey: [at, 1] }` (about 30 bytes each, for sealed cookies). */
export type StoredFactors = Record<string, [at: number, userVerified: 0 | 1]>;

/**
 * The method `login()` records when given none. Not `password`: Latchkey does
 * not see how the app checked the user, and guessing would let a
 * `methods: ['password']` check pass after a magic link or an OAuth sign-in.
 * An unspecified factor satisfies every check that names no methods.
 */
export const UNSPECIFIED_METHOD = 'unspecified';

/** At most this many methods are kept per session; the oldest goes first. */
export const MAX_FACTORS = 8;

const METHOD = /^[a-z][a-z0-9._:-]{0,31}$/;

/** Check a method name at the public edge (`login`, `reauthenticate`, `requireFreshAuth`). */
export function checkMethod(method: unknown, where: string): asserts method is AuthMethod {
  if (typeof method !== 'string')
    throw new TypeError(`${where}: method must be a string, got ${typeof method}`);
  if (!METHOD.test(method))
    throw new RangeError(
      `${where}: method must be 1 to 32 characters of [a-z0-9._:-] starting with a letter, got ${JSON.stringify(method.slice(0, 40))}`,
    );
}

/**
 * The factor named by `login`/`reauthenticate` options, checked: the method
 * (default {@link UNSPECIFIED_METHOD}) and user verification (default `false`).
 *
 * @example
 * factorOptions({ method: 'passkey', userVerified: true }, 'reauthenticate');
 */
export function factorOptions(
  options: { method?: AuthMethod; userVerified?: boolean } | undefined,
  where: string,
): { method: AuthMethod; userVerified: boolean } {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError(`${where}: options must be an object, got ${typeof options}`);
  const method = options?.method ?? UNSPECIFIED_METHOD;
  checkMethod(method, where);
  const userVerified = options?.userVerified ?? false;
  if (typeof userVerified !== 'boolean')
    throw new TypeError(`${where}: userVerified must be a boolean, got ${typeof userVerified}`);
  return { method, userVerified };
}

/** Is `value` a well-formed {@link StoredFactors} (as decoded from the store or a cookie)? */
export function isStoredFactors(value: unknown): value is StoredFactors {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  if (entries.length > MAX_FACTORS) return false;
  return entries.every(
    ([method, entry]) =>
      METHOD.test(method) &&
      Array.isArray(entry) &&
      entry.length === 2 &&
      typeof entry[0] === 'number' &&
      Number.isFinite(entry[0]) &&
      (entry[1] === 0 || entry[1] === 1),
  );
}

/**
 * The factors after `method` succeeded at `at`: its entry replaced, the others
 * kept, the oldest dropped past {@link MAX_FACTORS}. A new object.
 *
 * @example
 * recordFactor({ password: [1000, 0] }, 'passkey', 2000, true); // { password: [1000, 0], passkey: [2000, 1] }
 */
export function recordFactor(
  factors: StoredFactors | undefined,
  method: AuthMethod,
  at: number,
  userVerified: boolean,
): StoredFactors {
  const kept = Object.entries(factors ?? {}).filter(([m]) => m !== method);
  kept.sort((a, b) => b[1][0] - a[1][0]);
  const next: StoredFactors = {};
  for (const [m, entry] of kept.slice(0, MAX_FACTORS - 1)) next[m] = entry;
  next[method] = [at, userVerified ? 1 : 0];
  return next;
}

/**
 * The stored factors as a list, most recent first (empty for a record of an
 * earlier version, which has none).
 *
 * @example
 * factorList({ password: [1000, 0] }); // [{ method: 'password', at: 1000, userVerified: false }]
 */
export function factorList(factors: StoredFactors | undefined): AuthFactor[] {
  return Object.entries(factors ?? {})
    .map(([method, [at, uv]]) => ({ method, at, userVerified: uv === 1 }))
    .sort((a, b) => b.at - a.at);
}
