/**
 * `audit(recipe)`: resolve the recipe, probe the target (held to its origin),
 * evaluate the checks, return the report.
 */

import { evaluate } from './checks.js';
import { nodeTransport, sameOriginOnly, type Transport } from './http.js';
import { probe } from './prober.js';
import { resolveRecipe, type Recipe } from './recipe.js';
import type { AuditReport } from './report.js';

export interface AuditOptions {
  /** Extra trusted CA certificates (PEM), e.g. a self-signed development certificate. */
  ca?: string;
  /** Replaces the HTTP client (it is still held to the target's origin). */
  transport?: Transport;
  /** Default `Date.now`. */
  now?: () => number;
  /** Real waiting for `wait: true`. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Audits the app the recipe describes.
 *
 * @example
 * const report = await audit({
 *   target: 'https://app.example',
 *   fields: { username: 'alice', password: process.env.AUDIT_PASSWORD! },
 *   protected: '/api/me',
 *   logout: '/logout',
 * });
 * report.checks.filter((c) => c.status === 'fail');
 */
export async function audit(recipe: Recipe, options: AuditOptions = {}): Promise<AuditReport> {
  const resolved = resolveRecipe(recipe);
  const transport = sameOriginOnly(
    resolved.origin,
    options.transport ?? nodeTransport(options.ca !== undefined ? { ca: options.ca } : {}),
  );
  const observations = await probe(resolved, {
    transport,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    target: observations.target,
    sessionCookies: observations.sessionCookies.map((c) => c.name),
    plainHttp: observations.plainHttp,
    checks: evaluate(observations),
  };
}
