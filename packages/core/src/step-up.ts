/**
 * Step-up authentication (OWASP ASVS 5.0 V7.5.3, V7.5.1): a sensitive action
 * needs an authentication younger than a maximum age, optionally by one of
 * some methods and with user verification, judged from the session's factors
 * (`authTime` alone when no method is named). A failed check answers 403.
 */

import { factorList, checkMethod, type AuthMethod } from './auth-factors.js';
import { type Duration, toMillis } from './duration.js';
import { errorResponse } from './error-response.js';
import { ConfigError } from './errors.js';
import type { AnswerMode } from './negotiation.js';
import type { SessionPolicy } from './policy.js';
import type { Session, SessionData } from './session.js';

/** What a step-up check asks for. */
export interface FreshAuthOptions {
  /** Most age of the authentication. Default: the policy's `freshAuthAge`. */
  maxAge?: Duration;
  /** Only these methods count (any one of them). Default: any, judged by `authTime`. */
  methods?: readonly AuthMethod[];
  /** `required`: only a factor whose authenticator verified the user counts (WebAuthn UV). Default `preferred`: either. */
  userVerification?: 'required' | 'preferred';
}

/** The requirement a failed check reports, and the 403 body states. */
export interface StepUpRequirement {
  /** Milliseconds. */
  maxAge: number;
  /** Absent: any method will do. */
  methods?: readonly AuthMethod[];
  userVerification?: 'required';
}

/** The verdict of {@link requireFreshAuth}. */
export type FreshAuth =
  | { fresh: true }
  | {
      fresh: false;
      /** A 403 `{"error":"step_up_required","max_age":…}` to return as is. */
      response: Response;
      /** The session's auth time (`null` for no session or an anonymous one). */
      authTime: number | null;
      /** The maximum age applied, in milliseconds. */
      maxAge: number;
      /** What would satisfy the check: pass it to {@link stepUpResponse} to answer a page navigation. */
      requirement: StepUpRequirement;
    };

/**
 * The 403 that asks the client to authenticate again. JSON for a script:
 * `{"error":"step_up_required","max_age":300,"methods":["passkey"],"user_verification":"required"}`,
 * where `max_age` (seconds) and the method list follow RFC 9470's step-up
 * challenge and `methods`/`user_verification` appear only when the check named
 * them; a short text for a page navigation (negotiated from `request`; JSON
 * when no request is given). Without a requirement the body is the bare error.
 *
 * @example
 * if (!check.fresh) return stepUpResponse(request, { requirement: check.requirement }); // 403
 */
export function stepUpResponse(
  request?: Request,
  options: { mode?: AnswerMode; requirement?: StepUpRequirement } = {},
): Response {
  const r = options.requirement;
  return errorResponse(
    request ?? new Request('http://localhost/'),
    {
      error: 'step_up_required',
      ...(r && { max_age: Math.floor(r.maxAge / 1000) }),
      ...(r?.methods && { methods: [...r.methods] }),
      ...(r?.userVerification && { user_verification: r.userVerification }),
    },
    {
      status: 403,
      text: r?.methods
        ? `This action needs you to confirm it is you again (${r.methods.join(' or ')}).`
        : 'This action needs you to sign in again.',
      mode: request ? options.mode : (options.mode ?? 'json'),
    },
  );
}

/** A bare duration is the maxAge alone (the form of earlier versions). */
function optionsOf(check: Duration | FreshAuthOptions | undefined): FreshAuthOptions {
  if (check === undefined) return {};
  if (typeof check === 'number' || typeof check === 'string') return { maxAge: check };
  if (typeof check !== 'object' || check === null)
    throw new TypeError(
      `requireFreshAuth: expected a duration or { maxAge, methods, userVerification }, got ${typeof check}`,
    );
  return check;
}

function requirementOf(policy: SessionPolicy, check: FreshAuthOptions): StepUpRequirement {
  const maxAge = check.maxAge === undefined ? policy.freshAuthAge : toMillis(check.maxAge);
  if (maxAge === false) {
    throw new ConfigError(
      `requireFreshAuth: no maximum age; pass maxAge or set policy.freshAuthAge (policy ${policy.name})`,
    );
  }
  if (!(maxAge >= 0))
    throw new RangeError(
      `requireFreshAuth: maxAge must be a non-negative duration, got ${String(check.maxAge)}`,
    );
  const { methods, userVerification } = check;
  if (methods !== undefined) {
    if (!Array.isArray(methods) || methods.length === 0)
      throw new RangeError('requireFreshAuth: methods must be a non-empty array of method names');
    for (const m of methods) checkMethod(m, 'requireFreshAuth');
  }
  if (
    userVerification !== undefined &&
    userVerification !== 'required' &&
    userVerification !== 'preferred'
  )
    throw new TypeError(
      `requireFreshAuth: userVerification must be 'required' or 'preferred', got ${String(userVerification)}`,
    );
  return {
    maxAge,
    ...(methods && { methods: [...methods] }),
    ...(userVerification === 'required' && { userVerification }),
  };
}

/**
 * Whether the session authenticated recently enough for a sensitive action:
 * some factor (one of `methods`, if named; user-verified, if required) at most
 * `maxAge` old, or else the policy's `freshAuthAge`. Without methods or user
 * verification the session's `authTime` decides, so records of earlier versions
 * (which have no factors) keep working. A pure function of its inputs; the
 * engine's `latchkey.requireFreshAuth(session, check?)` supplies policy and clock.
 *
 * @throws {ConfigError} when neither `maxAge` nor `policy.freshAuthAge` is set.
 * @example
 * const check = requireFreshAuth(session, { policy: latchkey.policy, now: Date.now(), methods: ['passkey'], maxAge: '5m' });
 * if (!check.fresh) return check.response; // 403 {"error":"step_up_required","max_age":300,"methods":["passkey"]}
 */
export function requireFreshAuth<Data extends SessionData>(
  session: Session<Data> | null | undefined,
  options: { policy: SessionPolicy; now: number } & FreshAuthOptions,
): FreshAuth {
  const requirement = requirementOf(options.policy, options);
  const { maxAge, methods } = requirement;
  const signedIn = session != null && session.userId !== null;
  const authTime = signedIn ? session.authTime : null;
  const young = (at: number) => options.now - at <= maxAge;
  const fresh = !signedIn
    ? false
    : methods === undefined && requirement.userVerification === undefined
      ? authTime !== null && young(authTime)
      : factorList(session.record.af).some(
          (f) =>
            (methods === undefined || methods.includes(f.method)) &&
            (requirement.userVerification === undefined || f.userVerified) &&
            young(f.at),
        );
  if (fresh) return { fresh: true };
  return {
    fresh: false,
    response: stepUpResponse(undefined, { requirement }),
    authTime,
    maxAge,
    requirement,
  };
}

/**
 * The check as the engines take it: a bare duration (the old positional
 * `maxAge`) or the options object.
 *
 * @example
 * judgeFreshAuth(session, '5m', { policy, now: clock.now() });
 */
export function judgeFreshAuth<Data extends SessionData>(
  session: Session<Data> | null | undefined,
  check: Duration | FreshAuthOptions | undefined,
  context: { policy: SessionPolicy; now: number },
): FreshAuth {
  return requireFreshAuth(session, { ...optionsOf(check), ...context });
}
