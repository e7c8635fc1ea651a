/**
 * The options of `deviceBoundSessions()`: where the two DBSC endpoints live, how long the bound
 * cookie and the challenges last, which algorithms are offered, and the session's scope.
 */
import type { Duration } from '../duration.js';
import type { DbscAlgorithm } from './headers.js';
import type { ScopeRule } from './instructions.js';

/**
 * Options for `deviceBoundSessions()`.
 *
 * @example
 * const options: DeviceBindingOptions = { refreshPath: '/auth/dbsc/refresh', boundCookieLifetime: '5m' };
 */
export interface DeviceBindingOptions {
  /** Where the browser registers (POST). Default `/dbsc/register`. */
  registrationPath?: string;
  /** Where the browser refreshes (POST); the long-lived cookie is scoped to it. Default `/dbsc/refresh`. */
  refreshPath?: string;
  /** Lifetime of the bound cookie protected routes accept. Default `'10m'`; between `'1m'` and `'1h'`. */
  boundCookieLifetime?: Duration;
  /** Lifetime of a challenge. Default `'5m'`. */
  challengeLifetime?: Duration;
  /** Algorithms offered, in order of preference. Default `['ES256', 'RS256']`. */
  algorithms?: readonly DbscAlgorithm[];
  /** Offer and accept `alg: none` (a session bound to nothing). Default `false`. */
  allowNone?: boolean;
  /** The bound cookie's base name. Default: the session cookie's base name plus `-bound`. */
  boundCookieName?: string;
  /** The scope origin in the instructions. Default: the origin of the registration request's URL. */
  origin?: string;
  /** `include_site` of the scope (the whole site, not just the origin). Default `false`. */
  includeSite?: boolean;
  /** Scope rules (`scope_specification`), e.g. `[{ type: 'exclude', path: '/static' }]`. Default none. */
  scopeRules?: readonly ScopeRule[];
}
