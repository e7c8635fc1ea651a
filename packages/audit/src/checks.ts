/**
 * The catalog of checks (id, severity, ASVS 5.0 number, one-line fix) and
 * `evaluate`, which turns observations into the report's check results.
 */

import {
  cookieHttpOnly,
  cookieLifetime,
  cookiePrefix,
  cookieSameSite,
  cookieScope,
  cookieSecure,
  cookieSize,
  type Check,
} from './cookie-checks.js';
import { CHECK_IDS, type CheckId, type Observations } from './observations.js';
import {
  absoluteTimeout,
  csrfOrigin,
  fixation,
  idEntropy,
  idleTimeout,
  idRepeat,
  logoutNoStore,
  logoutServerSide,
} from './session-checks.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One line of the report; the JSON output prints these as they are. */
export interface CheckResult {
  id: CheckId;
  status: 'pass' | 'fail' | 'n/a';
  severity: Severity;
  /** The OWASP ASVS 5.0 requirement, e.g. `V7.2.3`. */
  asvs: string;
  message: string;
  fix: string;
  note?: string;
}

interface CatalogEntry {
  check: Check;
  severity: Severity;
  asvs: string;
  fix: string;
}

export const CATALOG: Readonly<Record<CheckId, CatalogEntry>> = {
  'cookie-httponly': {
    check: cookieHttpOnly,
    severity: 'high',
    asvs: 'V3.3.4',
    fix: 'set HttpOnly on the session cookie, so scripts (and XSS) cannot read it',
  },
  'cookie-secure': {
    check: cookieSecure,
    severity: 'high',
    asvs: 'V3.3.1',
    fix: 'serve the app over HTTPS only and set Secure on the session cookie',
  },
  'cookie-samesite': {
    check: cookieSameSite,
    severity: 'medium',
    asvs: 'V3.3.2',
    fix: 'set SameSite=Lax (or Strict) on the session cookie',
  },
  'cookie-prefix': {
    check: cookiePrefix,
    severity: 'low',
    asvs: 'V3.3.1, V3.3.3',
    fix: 'name the cookie __Host-… (Secure, Path=/, no Domain), or __Secure-… when it must be shared with other hosts',
  },
  'cookie-scope': {
    check: cookieScope,
    severity: 'medium',
    asvs: 'V3.3.3',
    fix: 'drop the Domain attribute, so only this host receives the cookie',
  },
  'cookie-lifetime': {
    check: cookieLifetime,
    severity: 'low',
    asvs: 'V7.3.2',
    fix: 'make the session cookie session-only, or give it Max-Age up to the absolute timeout (browsers keep at most 400 days)',
  },
  'cookie-size': {
    check: cookieSize,
    severity: 'low',
    asvs: 'V3.3.5',
    fix: 'keep the session cookie small (an ID, not the session data): name and value within 4096 bytes',
  },
  'id-entropy': {
    check: idEntropy,
    severity: 'critical',
    asvs: 'V7.2.3',
    fix: 'make session IDs of at least 128 random bits from a CSPRNG (e.g. 32 bytes of crypto.getRandomValues, base64url)',
  },
  'id-repeat': {
    check: idRepeat,
    severity: 'critical',
    asvs: 'V7.2.3',
    fix: 'issue a fresh random ID for every session; never reuse or derive one',
  },
  fixation: {
    check: fixation,
    severity: 'high',
    asvs: 'V7.2.4',
    fix: 'issue a new session ID on login (and every re-authentication), end the old one, and ignore IDs the server did not issue',
  },
  'logout-server-side': {
    check: logoutServerSide,
    severity: 'high',
    asvs: 'V7.4.1',
    fix: 'end the session on the server at logout (delete or revoke it), not only the cookie',
  },
  'logout-no-store': {
    check: logoutNoStore,
    severity: 'low',
    asvs: 'V14.3.2',
    fix: 'answer logout with Cache-Control: no-store (and optionally Clear-Site-Data)',
  },
  'csrf-origin': {
    check: csrfOrigin,
    severity: 'high',
    asvs: 'V3.5.1',
    fix: 'refuse state-changing requests whose Origin (or Sec-Fetch-Site) is not the app itself',
  },
  'idle-timeout': {
    check: idleTimeout,
    severity: 'medium',
    asvs: 'V7.3.1',
    fix: 'end a session after the documented inactivity period, on the server',
  },
  'absolute-timeout': {
    check: absoluteTimeout,
    severity: 'medium',
    asvs: 'V7.3.2',
    fix: 'end every session at the documented absolute lifetime, however active, on the server',
  },
};

/**
 * Runs every check on `observations`, in the stable order of `CHECK_IDS`.
 *
 * @example
 * evaluate(observations).filter((c) => c.status === 'fail').map((c) => c.id)
 */
export function evaluate(observations: Observations): CheckResult[] {
  return CHECK_IDS.map((id) => {
    const { check, severity, asvs, fix } = CATALOG[id];
    const finding = check(observations);
    return {
      id,
      status: finding.status,
      severity,
      asvs,
      message: finding.message,
      fix,
      ...(finding.note ? { note: finding.note } : {}),
    };
  });
}

/**
 * Failures at or above `threshold`: what `--fail-on` counts.
 *
 * @example
 * failuresAtOrAbove(report.checks, 'high').length > 0 // the run fails
 */
export function failuresAtOrAbove(
  checks: readonly CheckResult[],
  threshold: Severity,
): CheckResult[] {
  const floor = SEVERITIES.indexOf(threshold);
  return checks.filter((c) => c.status === 'fail' && SEVERITIES.indexOf(c.severity) >= floor);
}
