/**
 * The types of `@latchkey/core/webauthn`: the app's credential table as
 * Latchkey reads it, the options of `createPasskeys`, and the verdicts of
 * its ceremonies.
 */

import type {
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import type { RequestSession } from '../contract.js';
import type { Duration } from '../duration.js';
import type { RandomSource } from '../random.js';
import type { Session, SessionData } from '../session.js';
import type { SessionStore } from '../store/types.js';
import type { PasskeyRefused } from './refusal.js';

/** A passkey as the app stores it (Latchkey never stores credentials). */
export interface PasskeyCredential {
  /** The credential ID, base64url. */
  id: string;
  /** The COSE public key from registration. */
  publicKey: Uint8Array;
  /** The signature counter last seen (0 for authenticators that keep none). */
  counter: number;
  transports?: AuthenticatorTransportFuture[];
  /** The user it belongs to: an assertion counts only for this user's session. */
  userId: string;
}

/** The app's credential database, as Latchkey needs it. Each may return a promise. */
export interface PasskeyCredentials {
  /** The credential with this ID, or `null`. */
  byId(credentialId: string): PasskeyCredential | null | Promise<PasskeyCredential | null>;
  /** Every credential of a user (to name in the options). */
  byUser(userId: string): readonly PasskeyCredential[] | Promise<readonly PasskeyCredential[]>;
  /** Keep the counter of a verified assertion (a counter that goes back is refused before this). */
  updateCounter(credentialId: string, counter: number): void | Promise<void>;
}

/** Options for {@link createPasskeys}. */
export interface PasskeysOptions {
  /** Where challenges live; needs atomic `consume` (memory, Redis, SQL, Deno KV, Durable Objects). */
  store: SessionStore;
  /** The relying party ID: the site's registrable domain, e.g. `example.com` (or `localhost`). */
  rpID: string;
  /** The origins ceremonies may come from, e.g. `https://example.com`. */
  origin: string | string[];
  credentials: PasskeyCredentials;
  /** Shown by the authenticator at registration. Default: `rpID`. */
  rpName?: string;
  /** How long a challenge is accepted. Default `'5m'`; from 30 s to 10 min. */
  challengeTtl?: Duration;
  /** Ask the authenticator to verify the user (PIN, biometrics). Default `'required'`. */
  userVerification?: 'required' | 'preferred';
  /** Pass the engine's (`latchkey.clock`), so challenges expire on the sessions' time. */
  clock?: Clock;
  random?: RandomSource;
  /** Prefix of the challenge keys. Default `lk:`. */
  keyPrefix?: string;
  /** Most time one store call may take. Default `'500ms'`. */
  storeTimeout?: Duration | false;
}

/** A verified step-up: the session as reauthenticated (a new ID), or why not. */
export type PasskeyVerdict<Data extends SessionData = SessionData> =
  | { verified: true; session: Session<Data>; credentialId: string; userVerified: boolean }
  | PasskeyRefused;

/** A verified registration: the credential for the app to store, or why not. */
export type RegistrationVerdict =
  { verified: true; credential: PasskeyCredential } | PasskeyRefused;

/** Passkey ceremonies bound to the signed-in session of a request. */
export interface Passkeys {
  /** Options for `navigator.credentials.get()`, naming the user's passkeys; throws `SessionRequiredError` without a signed-in session. */
  authenticationOptions(
    session: RequestSession,
    purpose?: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** Check an assertion; on success `session.reauthenticate({ method: 'passkey', userVerified })`. */
  verifyAuthentication<Data extends SessionData>(
    session: RequestSession<Data>,
    response: unknown,
    purpose?: string,
  ): Promise<PasskeyVerdict<Data>>;
  /** Options for `navigator.credentials.create()` to add a passkey to the signed-in user. */
  registrationOptions(
    session: RequestSession,
    user: { name: string; displayName?: string },
  ): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Check an attestation; on success the credential to store (the session is left as is). */
  verifyRegistration(session: RequestSession, response: unknown): Promise<RegistrationVerdict>;
}
