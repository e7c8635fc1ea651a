/**
 * @latchkey/audit: an outside-in session audit of any running web app.
 * `audit(recipe)` signs in as a browser would and returns the report.
 */

export { audit } from './audit.js';
export type { AuditOptions } from './audit.js';
export { CATALOG, evaluate, failuresAtOrAbove, SEVERITIES } from './checks.js';
export type { CheckResult, Severity } from './checks.js';
export { CHECK_IDS } from './observations.js';
export type { CheckId, FixationProbe, Observations, TimeoutProbe } from './observations.js';
export type { Recipe } from './recipe.js';
export { renderJson, renderText, summarize } from './report.js';
export type { AuditReport, Summary, SummaryOptions } from './report.js';
export { AuditError, nodeTransport } from './http.js';
export type { AuditErrorCode, HttpRequest, HttpResponse, Transport } from './http.js';
export { estimateEntropy } from './id-entropy.js';
export type { EntropyEstimate } from './id-entropy.js';
export { parseSetCookie } from './set-cookie.js';
export type { SetCookie } from './set-cookie.js';
export { parseArgs, parseDuration, UsageError, USAGE } from './cli-args.js';
export type { CliOptions } from './cli-args.js';
export { runCli } from './run-cli.js';
export type { CliIo } from './run-cli.js';
