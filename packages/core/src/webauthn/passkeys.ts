/**
 * Passkeys for step-up (verify-only) and for adding one to a signed-in
 * account, thin over `@simplewebauthn/server`, which verifies but keeps
 * neither challenges nor counters: Latchkey keeps the challenges, the app
 * keeps the credentials. A verified assertion re-authenticates the session.
 */

import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { base64url } from 'jose';
import { systemClock } from '../clock.js';
import type { RequestSession } from '../contract.js';
import { toMillis } from '../duration.js';
import { SessionRequiredError } from '../errors.js';
import { cryptoRandom, isSecretShaped } from '../random.js';
import type { SessionData } from '../session.js';
import { StoreDeadline } from '../store/deadline.js';
import { StoreAccess } from '../store/typed-store.js';
import { Challenges, type Binding, type Ceremony } from './challenges.js';
import { refused, type PasskeyRefused } from './refusal.js';
import type { Passkeys, PasskeysOptions } from './types.js';

const PURPOSE = /^[a-z][a-z0-9._:-]{0,63}$/;
const REGISTRATION = 'registration';

function checkPurpose(purpose: unknown): string {
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose))
    throw new RangeError(
      `purpose must be 1 to 64 characters of [a-z0-9._:-] starting with a letter, got ${JSON.stringify(purpose)}`,
    );
  return purpose;
}

/** The challenge inside a credential response's client data, or `null` when there is none to read. */
function challengeOf(response: unknown): string | null {
  const data = (response as { response?: { clientDataJSON?: unknown } } | null)?.response
    ?.clientDataJSON;
  if (typeof data !== 'string' || data.length > 4096) return null;
  try {
    const text = new TextDecoder().decode(base64url.decode(data));
    const challenge = (JSON.parse(text) as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' && isSecretShaped(challenge) ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * Passkey step-up and registration for signed-in sessions. Refuses, at
 * construction, a store without atomic `consume` (`StoreCapabilityError`).
 *
 * @example
 * import { createPasskeys } from '@latchkey/core/webauthn';
 * const passkeys = createPasskeys({ store, rpID: 'example.com', origin: 'https://example.com', credentials, clock: latchkey.clock });
 * const options = await passkeys.authenticationOptions(rs, 'step-up'); // to navigator.credentials.get()
 * const verdict = await passkeys.verifyAuthentication(rs, await request.json(), 'step-up');
 * if (!verdict.verified) return verdict.response; // 401/403 {"error":"passkey_refused","reason":…}
 */
export function createPasskeys(options: PasskeysOptions): Passkeys {
  if (!options || typeof options !== 'object')
    throw new TypeError('createPasskeys: expected an options object');
  const { rpID, credentials } = options;
  if (typeof rpID !== 'string' || rpID === '')
    throw new TypeError('createPasskeys: rpID must be a non-empty string');
  const origin = options.origin;
  if (!(typeof origin === 'string' || (Array.isArray(origin) && origin.length > 0)))
    throw new TypeError('createPasskeys: origin must be a string or a non-empty array of strings');
  if (!credentials || typeof credentials.byId !== 'function')
    throw new TypeError('createPasskeys: credentials must offer byId, byUser and updateCounter');
  const ttl = toMillis(options.challengeTtl ?? '5m');
  if (!(ttl >= 30_000 && ttl <= 600_000))
    throw new RangeError(
      `createPasskeys: challengeTtl must be from 30s to 10m, got ${String(options.challengeTtl)}`,
    );
  const clock = options.clock ?? systemClock;
  const deadline = StoreDeadline.of('createPasskeys', options.storeTimeout);
  const access = StoreAccess.checked(options.store, () => clock.now(), undefined, deadline);
  const random = options.random ?? cryptoRandom;
  const challenges = new Challenges(access, options.keyPrefix ?? 'lk:', random, ttl);
  const userVerification = options.userVerification ?? 'required';

  /** The signed-in session of `rs`, or `null`. */
  async function signedIn<Data extends SessionData>(rs: RequestSession<Data>) {
    const outcome = await rs.load();
    return outcome.valid && outcome.session.userId !== null
      ? { session: outcome.session, userId: outcome.session.userId }
      : null;
  }
  async function bind(rs: RequestSession, ceremony: Ceremony, purpose: string): Promise<Binding> {
    const current = await signedIn(rs);
    if (!current) throw new SessionRequiredError(`passkey ${ceremony}: no signed-in session`);
    const { handle, createdAt } = current.session;
    return { ceremony, handle, createdAt, userId: current.userId, purpose };
  }
  /** Load, read the challenge, take it once: whom and what to verify against, or the refusal. */
  async function admit(
    rs: RequestSession,
    response: unknown,
    ceremony: Ceremony,
    purpose: string,
  ): Promise<{ userId: string; challenge: string } | PasskeyRefused> {
    const current = await signedIn(rs);
    if (!current) return refused('session_required');
    const challenge = challengeOf(response);
    if (challenge === null) return refused('response_malformed');
    const { handle, createdAt } = current.session;
    const refusal = await challenges.take(challenge, {
      ceremony,
      handle,
      createdAt,
      userId: current.userId,
      purpose,
    });
    return refusal ? refused(refusal) : { userId: current.userId, challenge };
  }
  const bytes = (challenge: string) => new Uint8Array(base64url.decode(challenge));

  return {
    async authenticationOptions(rs, purpose = 'step-up') {
      const binding = await bind(rs, 'authentication', checkPurpose(purpose));
      const own = await credentials.byUser(binding.userId);
      const challenge = await challenges.issue(binding);
      return generateAuthenticationOptions({
        rpID,
        challenge: bytes(challenge),
        timeout: ttl,
        userVerification,
        allowCredentials: own.map((c) => ({
          id: c.id,
          ...(c.transports && { transports: c.transports }),
        })),
      });
    },

    async verifyAuthentication(rs, response, purpose = 'step-up') {
      const admitted = await admit(rs, response, 'authentication', checkPurpose(purpose));
      if ('verified' in admitted) return admitted;
      const id = (response as { id?: unknown }).id;
      const credential = typeof id === 'string' ? await credentials.byId(id) : null;
      if (!credential || credential.userId !== admitted.userId)
        return refused('credential_unknown');
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge: admitted.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: {
            id: credential.id,
            publicKey: credential.publicKey as Uint8Array<ArrayBuffer>,
            counter: credential.counter,
            ...(credential.transports && { transports: credential.transports }),
          },
          requireUserVerification: userVerification === 'required',
        });
      } catch (cause) {
        return refused('assertion_invalid', cause);
      }
      if (!verification.verified) return refused('assertion_invalid');
      const { newCounter, userVerified } = verification.authenticationInfo;
      await credentials.updateCounter(credential.id, newCounter);
      const session = await rs.reauthenticate({ method: 'passkey', userVerified });
      return { verified: true, session, credentialId: credential.id, userVerified };
    },

    async registrationOptions(rs, user) {
      const binding = await bind(rs, 'registration', REGISTRATION);
      if (!user || typeof user.name !== 'string' || user.name === '')
        throw new TypeError('registrationOptions: user.name must be a non-empty string');
      const own = await credentials.byUser(binding.userId);
      const challenge = await challenges.issue(binding);
      return generateRegistrationOptions({
        rpName: options.rpName ?? rpID,
        rpID,
        userName: user.name,
        ...(user.displayName !== undefined && { userDisplayName: user.displayName }),
        challenge: bytes(challenge),
        timeout: ttl,
        attestationType: 'none',
        excludeCredentials: own.map((c) => ({
          id: c.id,
          ...(c.transports && { transports: c.transports }),
        })),
        authenticatorSelection: { residentKey: 'preferred', userVerification },
      });
    },

    async verifyRegistration(rs, response) {
      const admitted = await admit(rs, response, 'registration', REGISTRATION);
      if ('verified' in admitted) return admitted;
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response: response as RegistrationResponseJSON,
          expectedChallenge: admitted.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: userVerification === 'required',
        });
      } catch (cause) {
        return refused('assertion_invalid', cause);
      }
      if (!verification.verified) return refused('assertion_invalid');
      const { credential } = verification.registrationInfo;
      return {
        verified: true,
        credential: {
          id: credential.id,
          publicKey: credential.publicKey,
          counter: credential.counter,
          ...(credential.transports && { transports: credential.transports }),
          userId: admitted.userId,
        },
      };
    },
  };
}
