/**
 * The monitor's anomaly rules: which events reveal an attack or a broken
 * deployment, each flagged once per episode (the same kind and subject again
 * within a quiet period is the same incident). Memory is bounded per map.
 */

import type { SessionEvent, SessionEventType } from '../events.js';

/** What the monitor flags, as stable strings to alert on. */
export type AnomalyKind =
  /** A session cookie or refresh token presented again after its logout. */
  | 'used-after-logout'
  /** A revoked session's cookie, or a revoked access or refresh token, presented again. */
  | 'used-after-revocation'
  /** A rotated refresh token came back outside the grace window (RFC 9700 §4.14.2): the family was revoked. */
  | 'refresh-reuse'
  /** A stale remember-me validator came back: the token was copied; every session of the user ended. */
  | 'remember-me-theft'
  /** The store returned a session record past the TTL it was given: sessions that never expire. */
  | 'stale-record'
  /** Many cookies that name no session from one client in a short time: guessing or replaying IDs. */
  | 'validation-burst'
  /** A user reached the concurrent-session limit: a login was refused or an older session evicted. */
  | 'over-session-limit'
  /** A device-bound session's long-lived cookie came without its key (DBSC): the cookie was copied. */
  | 'device-binding-theft'
  /** A DPoP-bound refresh token came without a proof or with another key's (RFC 9449): the token was copied. */
  | 'token-binding-theft';

/** One anomaly, as `onAnomaly` receives it and the log line carries it. No secret is in it. */
export interface Anomaly {
  kind: AnomalyKind;
  at: number;
  /** The event that revealed it. */
  event: SessionEventType;
  userId: string | null;
  /** The public handle of the session, device, family or token; for a burst, the client's salted hash. */
  subject: string | null;
  /** A sentence for the person on call. */
  message: string;
}

/** How many failed validations from one client within `window` ms make a burst. */
export interface BurstRule {
  threshold: number;
  window: number;
}

export interface RuleOptions {
  /** Quiet time after which the same kind and subject is a new episode. */
  window: number;
  burst: BurstRule;
  /** How long a logged-out handle is remembered, to recognise its cookie coming back. */
  retention: number;
  /** Most entries each map holds; the oldest go first. */
  maxTracked: number;
  /** The salted hash a client's address is known by. */
  clientKey: (client: string) => string;
}

/** A request already in flight when its session logged out may still arrive: not an anomaly. */
const IN_FLIGHT_MS = 5000;

/** Set `key` as the newest entry of `map`, dropping the oldest beyond `cap`. */
function remember<V>(map: Map<string, V>, key: string, value: V, cap: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > cap) map.delete(map.keys().next().value as string);
}

/** Drop entries from the oldest end while `stale` says so. */
function forget<V>(map: Map<string, V>, stale: (value: V) => boolean): void {
  for (const [key, value] of map) {
    if (!stale(value)) break;
    map.delete(key);
  }
}

/**
 * The rules, fed every event in order.
 *
 * @example
 * const rules = new AnomalyRules(options);
 * for (const anomaly of rules.check(event)) alert(anomaly);
 */
export class AnomalyRules {
  /** Kind and subject to the last time seen. */
  readonly #episodes = new Map<string, number>();
  readonly #loggedOut = new Map<string, number>();
  readonly #logoutFamilies = new Map<string, number>();
  /** Families revoked for reuse: their tokens coming back belong to that incident. */
  readonly #reusedFamilies = new Map<string, number>();
  /** Client key to the times of its recent failures, at most `threshold` of them. */
  readonly #failures = new Map<string, number[]>();

  constructor(private readonly options: RuleOptions) {}

  check(e: SessionEvent): Anomaly[] {
    const { retention, maxTracked } = this.options;
    forget(this.#loggedOut, (at) => e.at - at > retention);
    forget(this.#logoutFamilies, (at) => e.at - at > retention);
    forget(this.#reusedFamilies, (at) => e.at - at > retention);
    const found: Array<Anomaly | null> = [];
    switch (e.type) {
      case 'logout':
        remember(this.#loggedOut, e.handle, e.at, maxTracked);
        break;
      case 'family-revoked':
        if (e.cause === 'logout') remember(this.#logoutFamilies, e.family, e.at, maxTracked);
        break;
      case 'revoked-used':
        found.push(
          this.#flag(
            e,
            'used-after-revocation',
            e.handle,
            null,
            "a revoked session's cookie was presented again",
          ),
        );
        break;
      case 'token-revoked-used': {
        if (e.family !== undefined && this.#reusedFamilies.has(e.family)) {
          found.push(this.#reuse(e, e.family, e.userId));
          break;
        }
        const afterLogout = e.family !== undefined && this.#logoutFamilies.has(e.family);
        found.push(
          afterLogout
            ? this.#flag(
                e,
                'used-after-logout',
                e.family!,
                e.userId,
                'a refresh token was presented again after its logout',
              )
            : this.#flag(
                e,
                'used-after-revocation',
                e.jti ?? e.family ?? null,
                e.userId,
                `a revoked token was presented again (${e.cause})`,
              ),
        );
        break;
      }
      case 'validation-failed':
        if (e.handle !== undefined) {
          const loggedOut = this.#loggedOut.get(e.handle);
          if (loggedOut !== undefined && e.at - loggedOut >= IN_FLIGHT_MS)
            found.push(
              this.#flag(
                e,
                'used-after-logout',
                e.handle,
                null,
                "a logged-out session's cookie was presented again",
              ),
            );
        }
        if (e.client !== undefined) found.push(this.#burst(e, this.options.clientKey(e.client)));
        break;
      case 'refresh-reuse':
        remember(this.#reusedFamilies, e.family, e.at, maxTracked);
        found.push(this.#reuse(e, e.family, e.userId));
        break;
      case 'remember-me-theft':
        found.push(
          this.#flag(
            e,
            'remember-me-theft',
            e.device,
            e.userId,
            'a stale remember-me token was replayed: every session of the user ended',
          ),
        );
        break;
      case 'stale-record':
        found.push(
          this.#flag(
            e,
            'stale-record',
            e.handle,
            e.userId,
            `the store returned a session record ${Math.round((e.at - e.ttlEnd) / 1000)} s after its TTL ran out: does it honour TTLs?`,
          ),
        );
        break;
      case 'device-binding-refused':
        // A bound device's own browser sends its remember-me cookie too once its session is over.
        if (e.reason === 'long-lived-cookie' || e.reason === 'proof')
          found.push(
            this.#flag(
              e,
              'device-binding-theft',
              e.handle ?? null,
              e.userId ?? null,
              e.reason === 'proof'
                ? 'a device-bound session was refreshed with a proof from another key: the session was ended'
                : "a device-bound session's long-lived cookie was sent outside the refresh endpoint: refused",
            ),
          );
        break;
      case 'token-proof-refused':
        if (e.reason === 'missing' || e.reason === 'jkt')
          found.push(
            this.#flag(
              e,
              'token-binding-theft',
              e.family,
              e.userId,
              e.reason === 'jkt'
                ? "a DPoP-bound refresh token came with another key's proof: refused, nothing revoked"
                : 'a DPoP-bound refresh token came without a DPoP proof: refused, nothing revoked',
            ),
          );
        break;
      case 'limit-refused':
      case 'evicted':
        found.push(
          this.#flag(
            e,
            'over-session-limit',
            null,
            e.userId,
            e.type === 'evicted'
              ? 'over the session limit: the oldest session was evicted'
              : `over the session limit of ${e.limit}: a login was refused`,
          ),
        );
        break;
      default:
        break;
    }
    return found.filter((a): a is Anomaly => a !== null);
  }

  #reuse(e: SessionEvent, family: string, userId: string | null): Anomaly | null {
    const message = 'a rotated refresh token was reused: its family is revoked';
    return this.#flag(e, 'refresh-reuse', family, userId, message);
  }

  #burst(e: SessionEvent, client: string): Anomaly | null {
    const { threshold, window } = this.options.burst;
    const times = (this.#failures.get(client) ?? []).filter((t) => e.at - t < window);
    times.push(e.at);
    if (times.length > threshold) times.shift();
    remember(this.#failures, client, times, this.options.maxTracked);
    if (times.length < threshold) return null;
    return this.#flag(
      e,
      'validation-burst',
      client,
      null,
      `${threshold} cookies naming no session from one client within ${window / 1000} s`,
      window,
    );
  }

  /** The anomaly, unless the same kind and subject was seen within the quiet period (then it is the same episode). */
  #flag(
    e: SessionEvent,
    kind: AnomalyKind,
    subject: string | null,
    userId: string | null,
    message: string,
    quiet = this.options.window,
  ): Anomaly | null {
    const key = `${kind}\u0000${subject ?? ''}\u0000${userId ?? ''}`;
    const last = this.#episodes.get(key);
    remember(this.#episodes, key, e.at, this.options.maxTracked);
    if (last !== undefined && e.at - last < quiet) return null;
    return { kind, at: e.at, event: e.type, userId, subject, message };
  }
}
