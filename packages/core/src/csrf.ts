/**
 * The CSRF guard (OWASP ASVS 5.0 V3.5): a state-changing request must come
 * from the app's own pages, as the browser's `Origin` (or `Referer`) and
 * Fetch Metadata (`Sec-Fetch-Site`) headers say. Pure: no store, no session.
 * See docs/security.md for what it covers and what the app must still do.
 */

import type { CsrfRejection } from './error-body.js';
import { errorResponse } from './error-response.js';
import type { AnswerMode } from './negotiation.js';

/** What to do with a state-changing request that carries none of `Origin`, `Referer`, `Sec-Fetch-Site`. */
export type UnverifiableRule =
  /** Allow it only when it carries no cookies: without ambient credentials there is nothing to forge. */
  | 'allow-without-cookies'
  /** Refuse it (OWASP's recommendation when the app serves browsers only). */
  | 'refuse'
  /** Allow it (a non-browser client sending cookies; not recommended). */
  | 'allow';

/** Options for {@link checkCsrf} and {@link csrfGuard}. */
export interface CsrfOptions {
  /** The app's own origin(s) as the browser sees them, e.g. behind a proxy. Default: the request URL's origin. */
  origin?: string | readonly string[];
  /** Other origins allowed to send state-changing requests, e.g. `https://admin.app.example`. */
  trustedOrigins?: readonly string[];
  /** Allow `Sec-Fetch-Site: same-site` (a sibling subdomain) without an `Origin`. Default `false`. */
  allowSameSite?: boolean;
  /** The rule for a request with no `Origin`, `Referer` or `Sec-Fetch-Site`. Default `'allow-without-cookies'`. */
  unverifiable?: UnverifiableRule;
  /** How the 403 answers: `json`, `page` (text), or negotiated (default). */
  mode?: AnswerMode;
}

/** The verdict of {@link checkCsrf}. */
export type CsrfVerdict = { ok: true } | { ok: false; reason: CsrfRejection };

/** RFC 9110 §9.2.1: the safe methods, which must not change state (ASVS V3.5) and so pass. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const RULES: readonly UnverifiableRule[] = ['allow-without-cookies', 'refuse', 'allow'];

/** An origin as `URL#origin` serialises it, or a `TypeError` naming the option. */
function toOrigin(value: unknown, field: string): string {
  if (typeof value === 'string') {
    try {
      const origin = new URL(value).origin;
      if (origin !== 'null') return origin;
    } catch {
      // fall through to the error
    }
  }
  throw new TypeError(
    `csrf.${field}: expected an origin such as 'https://app.example', got ${JSON.stringify(value)}`,
  );
}

/** The options checked once, origins normalised. */
interface ResolvedCsrf {
  own: readonly string[] | null;
  trusted: ReadonlySet<string>;
  allowSameSite: boolean;
  unverifiable: UnverifiableRule;
}

function resolve(options: CsrfOptions): ResolvedCsrf {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('csrf: expected an options object, e.g. { trustedOrigins: [] }');
  const own = options.origin === undefined ? null : [options.origin].flat();
  const unverifiable = options.unverifiable ?? 'allow-without-cookies';
  if (!RULES.includes(unverifiable))
    throw new TypeError(
      `csrf.unverifiable: expected one of ${RULES.map((r) => `'${r}'`).join(', ')}, got ${JSON.stringify(unverifiable)}`,
    );
  return {
    own: own?.map((o) => toOrigin(o, 'origin')) ?? null,
    trusted: new Set((options.trustedOrigins ?? []).map((o) => toOrigin(o, 'trustedOrigins'))),
    allowSameSite: options.allowSameSite === true,
    unverifiable,
  };
}

/** The origin the request says it came from: `Origin`, else the `Referer`'s (OWASP's fallback); `undefined` for neither. */
function claimedOrigin(request: Request): string | undefined {
  const origin = request.headers.get('origin');
  if (origin !== null) return origin.trim();
  const referer = request.headers.get('referer');
  if (referer === null) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

function decide(request: Request, config: ResolvedCsrf): CsrfVerdict {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return { ok: true };
  const claimed = claimedOrigin(request);
  if (claimed !== undefined) {
    if (claimed === 'null') return { ok: false, reason: 'null-origin' };
    if (config.trusted.has(claimed)) return { ok: true };
    let own: readonly string[];
    try {
      own = config.own ?? [new URL(request.url).origin];
    } catch {
      own = [];
    }
    if (!own.includes(claimed)) return { ok: false, reason: 'origin-mismatch' };
  }
  // Fetch Metadata: the browser's own word on where the request came from.
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site') return { ok: false, reason: 'cross-site' };
  if (site === 'same-site' && claimed === undefined && !config.allowSameSite)
    return { ok: false, reason: 'same-site' };
  if (claimed !== undefined || site !== null) return { ok: true };
  if (config.unverifiable === 'allow') return { ok: true };
  if (config.unverifiable === 'allow-without-cookies' && !request.headers.has('cookie'))
    return { ok: true };
  return { ok: false, reason: 'unverifiable' };
}

/**
 * Whether a request may change state: safe methods pass; otherwise `Origin`
 * (or `Referer`) must be the app's own or trusted, never `null`, and
 * `Sec-Fetch-Site` must not be `cross-site` (nor, by default, `same-site`).
 *
 * @example
 * const verdict = checkCsrf(request, { trustedOrigins: ['https://admin.app.example'] });
 * if (!verdict.ok) return csrfResponse(request, verdict.reason); // 403 csrf_rejected
 */
export function checkCsrf(request: Request, options: CsrfOptions = {}): CsrfVerdict {
  return decide(request, resolve(options));
}

/**
 * The 403 for a refused request: `{"error":"csrf_rejected","reason":…}` for
 * a script, a short text for a page.
 *
 * @example
 * csrfResponse(request, 'cross-site') // 403 {"error":"csrf_rejected","reason":"cross-site"}
 */
export function csrfResponse(
  request: Request,
  reason: CsrfRejection,
  options: { mode?: AnswerMode } = {},
): Response {
  return errorResponse(
    request,
    { error: 'csrf_rejected', reason },
    {
      status: 403,
      text: 'This request did not come from this site, so it was refused.',
      headers: { vary: 'Origin, Sec-Fetch-Site' },
      mode: options.mode,
    },
  );
}

/**
 * A guard for adapters, options checked once: `null` to let the request
 * through, or the 403 to answer with. `options: true` means the defaults.
 *
 * @throws {TypeError} for an option that is not an origin or a known rule.
 * @example
 * const csrf = csrfGuard({ origin: 'https://app.example' });
 * const refused = csrf(request);
 * if (refused) return refused;
 */
export function csrfGuard(options: CsrfOptions | true = {}): (request: Request) => Response | null {
  const config = resolve(options === true ? {} : options);
  const mode = options === true ? undefined : options.mode;
  return (request) => {
    const verdict = decide(request, config);
    return verdict.ok ? null : csrfResponse(request, verdict.reason, { mode });
  };
}
