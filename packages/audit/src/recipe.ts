/**
 * The recipe: how to sign in to the target and what to probe. The CLI builds
 * one from flags or a file; `resolveRecipe` checks it and pins every URL to
 * the target's origin, so the audit can never be pointed elsewhere.
 */

import { AuditError } from './http.js';

export interface Recipe {
  /** The app. Its origin is the only one the audit ever contacts. */
  target: string;
  /** GET shows the login form, POST signs in. Relative to `target`. Default `/login`. */
  login?: string;
  /** `form` (urlencoded, after reading the form's hidden fields) or `json`. Default `form`. */
  body?: 'form' | 'json';
  /** The fields to post, e.g. `{ username: 'alice', password: '…' }`. */
  fields?: Record<string, string>;
  /** Answers 2xx only when signed in. Relative to `target`. */
  protected: string;
  /** POST ends the session. Without it the logout checks are n/a. */
  logout?: string;
  /** The `Origin` the app expects on its own state-changing requests. Default: the target's origin. */
  origin?: string;
  /** Logins to collect session IDs from. Default 16. */
  samples?: number;
  /** The idle timeout the app claims, ms. */
  idleTimeoutMs?: number;
  /** The absolute timeout the app claims, ms. */
  absoluteTimeoutMs?: number;
  /** A same-origin URL that moves the app's clock forward: POST `{ "advanceMs": n }`. */
  clockHook?: string;
  /** Test the claimed timeouts by waiting them out in real time. */
  wait?: boolean;
}

/** A recipe with every URL resolved against the target and checked to be on its origin. */
export interface ResolvedRecipe {
  origin: string;
  login: URL;
  body: 'form' | 'json';
  fields: Record<string, string>;
  protected: URL;
  logout?: URL;
  /** The `Origin` header for same-origin state-changing requests. */
  requestOrigin: string;
  samples: number;
  idleTimeoutMs?: number;
  absoluteTimeoutMs?: number;
  clockHook?: URL;
  wait: boolean;
}

const usage = (message: string) => new AuditError('ERR_AUDIT_USAGE', message);

/**
 * Checks `recipe` and resolves its URLs; throws `AuditError` (`ERR_AUDIT_USAGE`) naming the field.
 *
 * @example
 * resolveRecipe({ target: 'https://app.example', protected: '/api/me' }).login.href
 * // 'https://app.example/login'
 */
export function resolveRecipe(recipe: Recipe): ResolvedRecipe {
  let target: URL;
  try {
    target = new URL(recipe.target);
  } catch {
    throw usage(`the target must be an absolute http(s) URL, got ${JSON.stringify(recipe.target)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw usage(`the target must be http: or https:, got ${target.protocol}`);
  const origin = target.origin;
  const pin = (field: string, value: string | undefined): URL | undefined => {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value, target);
    } catch {
      throw usage(`${field}: not a URL: ${JSON.stringify(value)}`);
    }
    if (url.origin !== origin)
      throw usage(
        `${field}: ${url.origin} is not the target's origin (${origin}); the audit talks to the target only`,
      );
    return url;
  };
  if (!recipe.protected)
    throw usage('--protected is required: a URL that answers 2xx only when signed in');
  const samples = recipe.samples ?? 16;
  if (!Number.isInteger(samples) || samples < 2 || samples > 1000)
    throw usage(`--samples must be a whole number from 2 to 1000, got ${recipe.samples}`);
  for (const [field, ms] of [
    ['--idle-timeout', recipe.idleTimeoutMs],
    ['--absolute-timeout', recipe.absoluteTimeoutMs],
  ] as const)
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0))
      throw usage(`${field} must be a positive duration, got ${ms}`);
  const body = recipe.body ?? 'form';
  if (body !== 'form' && body !== 'json') throw usage(`body must be 'form' or 'json', got ${body}`);
  let requestOrigin = origin;
  if (recipe.origin !== undefined) {
    try {
      requestOrigin = new URL(recipe.origin).origin;
    } catch {
      throw usage(`--origin must be a URL, got ${JSON.stringify(recipe.origin)}`);
    }
  }
  return {
    origin,
    login: pin('--login', recipe.login ?? '/login')!,
    body,
    fields: { ...recipe.fields },
    protected: pin('--protected', recipe.protected)!,
    ...(recipe.logout !== undefined ? { logout: pin('--logout', recipe.logout)! } : {}),
    requestOrigin,
    samples,
    ...(recipe.idleTimeoutMs !== undefined ? { idleTimeoutMs: recipe.idleTimeoutMs } : {}),
    ...(recipe.absoluteTimeoutMs !== undefined
      ? { absoluteTimeoutMs: recipe.absoluteTimeoutMs }
      : {}),
    ...(recipe.clockHook !== undefined
      ? { clockHook: pin('--clock-hook', recipe.clockHook)! }
      : {}),
    wait: recipe.wait === true,
  };
}
