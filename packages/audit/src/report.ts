/**
 * The report: the checks' results for one target, rendered for a terminal
 * or as JSON for CI (`{ target, sessionCookies, checks: [...], summary }`).
 */

import { failuresAtOrAbove, type CheckResult, type Severity } from './checks.js';

export interface AuditReport {
  /** The target's origin. */
  target: string;
  /** Names of the cookies found to carry the session. */
  sessionCookies: string[];
  /** The target is `http:`: cookie-secure and cookie-prefix fail with a note. */
  plainHttp: boolean;
  checks: CheckResult[];
}

export interface SummaryOptions {
  /** On a plain-HTTP target, cookie-secure and cookie-prefix failures are not blocking. */
  allowPlainHttp?: boolean;
}

const PLAIN_HTTP_CHECKS: ReadonlySet<string> = new Set(['cookie-secure', 'cookie-prefix']);

export interface Summary {
  passed: number;
  failed: number;
  notApplicable: number;
  /** Failures at or above the `--fail-on` threshold. */
  blocking: number;
  failOn: Severity | 'none';
}

/**
 * Counts per status, and the failures that fail the run.
 *
 * @example
 * summarize(report, 'high', { allowPlainHttp: true }).blocking
 */
export function summarize(
  report: AuditReport,
  failOn: Severity | 'none',
  options: SummaryOptions = {},
): Summary {
  const count = (s: CheckResult['status']) => report.checks.filter((c) => c.status === s).length;
  const counted =
    options.allowPlainHttp && report.plainHttp
      ? report.checks.filter((c) => !PLAIN_HTTP_CHECKS.has(c.id))
      : report.checks;
  return {
    passed: count('pass'),
    failed: count('fail'),
    notApplicable: count('n/a'),
    blocking: failOn === 'none' ? 0 : failuresAtOrAbove(counted, failOn).length,
    failOn,
  };
}

/**
 * The JSON output, one object, stable keys.
 *
 * @example
 * JSON.parse(renderJson(report, 'high')).checks[0].id // 'cookie-httponly'
 */
export function renderJson(
  report: AuditReport,
  failOn: Severity | 'none',
  options: SummaryOptions = {},
): string {
  return JSON.stringify({ ...report, summary: summarize(report, failOn, options) }, null, 2) + '\n';
}

const LABEL = { pass: 'PASS', fail: 'FAIL', 'n/a': 'N/A ' } as const;

/**
 * The terminal report: one line per check, its fix under each failure.
 *
 * @example
 * process.stdout.write(renderText(await audit(recipe), 'high'));
 */
export function renderText(
  report: AuditReport,
  failOn: Severity | 'none',
  options: SummaryOptions = {},
): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const lines = [
    `latchkey audit of ${report.target}`,
    `session cookie: ${report.sessionCookies.join(', ') || '(none)'}`,
    '',
  ];
  for (const c of report.checks) {
    lines.push(
      `${LABEL[c.status]}  ${c.id.padEnd(width)}  ${c.asvs.padEnd(14)} ${c.severity.padEnd(8)} ${c.message}`,
    );
    if (c.note) lines.push(`${' '.repeat(width + 8)}note: ${c.note}`);
    if (c.status === 'fail') lines.push(`${' '.repeat(width + 8)}fix: ${c.fix}`);
  }
  const s = summarize(report, failOn, options);
  lines.push(
    '',
    `${s.passed} passed, ${s.failed} failed, ${s.notApplicable} not applicable; ` +
      (failOn === 'none'
        ? 'no failure fails the run (--fail-on none)'
        : `${s.blocking} failure(s) at or above ${failOn}` +
          (options.allowPlainHttp && report.plainHttp
            ? ' (plain-HTTP cookie checks not counted)'
            : '')),
  );
  return lines.join('\n') + '\n';
}
