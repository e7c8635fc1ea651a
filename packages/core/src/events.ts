/**
 * Lifecycle events for monitoring and audit logs (ASVS V16.3.1: log
 * authentication events). Payloads carry the public handle (the SHA-256 of
 * the ID, what the store is keyed by), never the secret ID or a token.
 */

/** Why a session stopped being accepted. */
import type { ExpiryKind } from './decide.js';

/** Every event the engine emits, as a discriminated union on `type`. */
export type SessionEvent =
  | { type: 'created'; at: number; handle: string; userId: string | null }
  | {
      type: 'regenerated';
      at: number;
      handle: string;
      previous: string;
      userId: string | null;
      cause: 'login' | 'privilege-change' | 'reauthentication';
    }
  | { type: 'renewed'; at: number; handle: string; previous: string; userId: string | null }
  | { type: 'touched'; at: number; handle: string; userId: string | null }
  | { type: 'expired'; at: number; handle: string; userId: string | null; reason: ExpiryKind }
  | { type: 'logout'; at: number; handle: string; userId: string | null }
  | { type: 'revoked'; at: number; handle: string; userId: string | null }
  | {
      type: 'revoke-all';
      at: number;
      userId: string;
      count: number;
      /** The handle of the session kept (`revokeOthers`), when one was. */
      except?: string;
    }
  | { type: 'revoked-used'; at: number; handle: string }
  | {
      /** A session cookie that is not a Latchkey ID (`malformed`) or that the store does not know (`unknown`). */
      type: 'validation-failed';
      at: number;
      reason: 'malformed' | 'unknown';
      /** The handle of a well-formed ID (the hash the store is keyed by), never the ID. */
      handle?: string;
      /** The client's address as the adapter gave it (`facts.ip`), to tell one client's burst from many. */
      client?: string;
    }
  | {
      /** The store returned a session record after the TTL the engine gave it had run out: a store not honouring TTL. */
      type: 'stale-record';
      at: number;
      handle: string;
      userId: string | null;
      /** The deadline that passed. */
      reason: ExpiryKind;
      /** When the store should have dropped the record: the deadline plus `expiryNotice`. */
      ttlEnd: number;
    }
  | { type: 'evicted'; at: number; handle: string; userId: string; cause: 'session-limit' }
  | { type: 'limit-refused'; at: number; userId: string; limit: number }
  | { type: 'conflict'; at: number; handle: string; userId: string | null }
  | { type: 'store-error'; at: number; operation: string; code: string; message: string }
  | { type: 'token-issued'; at: number; userId: string; family: string }
  | { type: 'token-refreshed'; at: number; userId: string; family: string; concurrent: boolean }
  | { type: 'refresh-reuse'; at: number; userId: string; family: string }
  | {
      /**
       * A DPoP-bound family's refresh token came without a proof, or with one the verifier
       * refused (`reason`, the refusal's: `missing`, `jkt` for another key, `replay`, `iat`, …;
       * never `nonce`, the normal handshake). Refused; nothing was revoked.
       */
      type: 'token-proof-refused';
      at: number;
      userId: string;
      family: string;
      reason: string;
    }
  | {
      type: 'family-revoked';
      at: number;
      userId: string;
      family: string;
      cause: 'reuse' | 'logout';
    }
  | { type: 'token-revoked'; at: number; userId: string | null; jti: string }
  | { type: 'user-tokens-revoked'; at: number; userId: string; notBefore: number }
  | {
      type: 'token-revoked-used';
      at: number;
      userId: string | null;
      cause: 'jti' | 'not-before' | 'family';
      jti?: string;
      family?: string;
    }
  | { type: 'remember-me-issued'; at: number; device: string; userId: string }
  | {
      type: 'remember-me-used';
      at: number;
      device: string;
      handle: string;
      userId: string;
      shared: boolean;
    }
  | { type: 'remember-me-theft'; at: number; device: string; userId: string }
  | {
      type: 'remember-me-revoked';
      at: number;
      device: string;
      userId: string;
      cause: 'logout' | 'login' | 'revoke' | 'revoke-all' | 'theft';
    }
  /** A browser registered a device-bound session (DBSC): the session is bound to its key. */
  | { type: 'device-bound'; at: number; handle: string; userId: string | null; alg: string }
  /** A bound session's browser proved its key at the refresh endpoint and got a fresh bound cookie. */
  | { type: 'device-refreshed'; at: number; handle: string; userId: string | null }
  | {
      /**
       * A device-binding check failed: a bound session's long-lived cookie outside the refresh
       * endpoint, or a proof not signed by the registered key (both end or refuse the session:
       * the cookie was copied), a stale or replayed challenge (answered with a fresh one), or the
       * remember-me cookie of a device that registered (refused: it would start an unbound session).
       */
      type: 'device-binding-refused';
      at: number;
      reason: 'long-lived-cookie' | 'proof' | 'challenge' | 'remember-me';
      handle?: string;
      userId?: string | null;
    }
  /** A browser reported it skipped refreshing a bound session (`Secure-Session-Skipped`). */
  | { type: 'device-binding-skipped'; at: number; reason: string; sessionIdentifier?: string };

export type SessionEventType = SessionEvent['type'];

/** Receives events. It may be async; its failures are swallowed so monitoring never breaks a request. */
export type EventSink = (event: SessionEvent) => void | Promise<void>;

/** Call the sink without letting it throw or reject into the request path. */
export function emit(sink: EventSink | undefined, event: SessionEvent): void {
  if (!sink) return;
  try {
    const result = sink(event);
    if (result && typeof (result as Promise<void>).catch === 'function')
      (result as Promise<void>).catch(() => {});
  } catch {
    // A broken monitor must not break sign-in.
  }
}
