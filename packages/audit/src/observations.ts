/**
 * What the prober saw, as plain data: the input of every check. The prober
 * fills it in over HTTP; tests of the checks write it by hand.
 */

import type { SetCookie } from './set-cookie.js';

/** The stable check ids, in report order. */
export const CHECK_IDS = [
  'cookie-httponly',
  'cookie-secure',
  'cookie-samesite',
  'cookie-prefix',
  'cookie-scope',
  'cookie-lifetime',
  'cookie-size',
  'id-entropy',
  'id-repeat',
  'fixation',
  'logout-server-side',
  'logout-no-store',
  'csrf-origin',
  'idle-timeout',
  'absolute-timeout',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** How one way of fixing a session ID before login fared. */
export interface FixationProbe {
  /**
   * `issued-before-login`: the app's own pre-login cookie; `chosen-by-attacker`: a value the
   * app never issued, planted under the session cookie's name; `re-authentication`: an
   * already signed-in session's ID presented to a second login.
   */
  vector: 'issued-before-login' | 'chosen-by-attacker' | 're-authentication';
  /** The session cookie's value after login was the one presented before it. */
  kept: boolean;
}

/** A timeout probe: requests at the claimed value minus and plus a tolerance. */
export interface TimeoutProbe {
  claimedMs: number;
  toleranceMs: number;
  method: 'clock-hook' | 'wait';
  /** The session still answered 2xx just before the claimed timeout. */
  aliveBefore: boolean;
  /** When it first stopped answering 2xx, ms after login (if it did before the end of the probe). */
  endedAfterMs?: number;
  /** The session still answered 2xx past the claimed timeout plus the tolerance. */
  aliveAfter: boolean;
}

export interface Observations {
  /** The target's origin: the only one the audit talked to. */
  target: string;
  /** `http:` rather than `https:`. */
  plainHttp: boolean;
  /** The session cookies as the login response set them. */
  sessionCookies: SetCookie[];
  /** The response time of that login (its `Date` header, else the audit's clock), epoch ms. */
  loginAt: number;
  /** Values of each session cookie over repeated logins, in issue order. */
  idSamples: Record<string, string[]>;
  fixation: FixationProbe[];
  logout?: {
    status: number;
    cacheControl: string | null;
    /** The protected URL's status when the pre-logout cookies are replayed after logout. */
    replayStatus: number;
  };
  csrf?: {
    /** Which state-changing request carried the foreign Origin. */
    via: 'logout' | 'login';
    status: number;
    /** The request had its effect: the session ended (logout) or one was created (login). */
    tookEffect: boolean;
  };
  idleTimeout?: TimeoutProbe;
  absoluteTimeout?: TimeoutProbe;
  /** Why a probe was not run, for its checks' n/a. */
  skipped: Partial<Record<CheckId, string>>;
}
