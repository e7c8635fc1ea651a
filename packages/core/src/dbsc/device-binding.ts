/**
 * `deviceBoundSessions()`: Device Bound Session Credentials for a Latchkey engine. Attached
 * through `createLatchkey({ deviceBinding })`, it offers registration on login, keeps a bound
 * session's long-lived cookie at the refresh endpoint only, and answers the two DBSC endpoints.
 */
import type { BindingContext, BindingHooks, BindingOutput, Issue } from '../binding.js';
import { resolveSessionCookie, type ResolvedCookie } from '../cookie/session-cookie.js';
import { toMillis, type Duration } from '../duration.js';
import { ConfigError, StoreCapabilityError } from '../errors.js';
import { emit } from '../events.js';
import { ATOMIC_STORES } from '../store/typed-store.js';
import type { DeviceFacts } from '../record.js';
import type { Session, SessionData } from '../session.js';
import { BoundTokens } from './bound-cookie.js';
import { Challenges } from './challenges.js';
import { handleRefresh } from './refresh.js';
import { handleRegistration } from './register.js';
import { mintBoundCookie, type BindingState } from './state.js';
import { readSkipped, registrationHeader, type DbscAlgorithm } from './headers.js';
import type { DeviceBindingOptions } from './options.js';

/** What {@link deviceBoundSessions} returns: pass it to `createLatchkey`, then route its endpoints. */
export interface DeviceBinding {
  readonly registrationPath: string;
  readonly refreshPath: string;
  /** @internal Called once by `createLatchkey`. */
  attach(context: BindingContext): BindingHooks;
  /** Answer the registration or refresh endpoint; `null` for any other path. Never a redirect. */
  handle(request: Request, facts?: DeviceFacts): Promise<Response | null>;
}

const MINUTE = 60_000;
const ALGORITHMS: readonly DbscAlgorithm[] = ['ES256', 'RS256'];

function checkPath(name: string, path: string): string {
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,=:@%/-]*$/.test(path))
    throw new ConfigError(
      `deviceBoundSessions: ${name} must be an absolute path, got ${String(path)}`,
    );
  return path;
}

function lifetime(
  name: string,
  value: Duration | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const ms = value === undefined ? fallback : toMillis(value);
  if (!(ms >= min && ms <= max))
    throw new RangeError(
      `deviceBoundSessions: ${name} must be between ${min / 1000} s and ${max / 1000} s, got ${String(value)}`,
    );
  return ms;
}

/** The base name of a cookie: without the prefix it was given. */
const baseName = (name: string): string => name.replace(/^__(Host|Secure)-/i, '');

/**
 * Device Bound Session Credentials (W3C DBSC) for an engine.
 *
 * @example
 * import { createLatchkey, MemoryStore, presets } from '@latchkey/core';
 * import { deviceBoundSessions } from '@latchkey/core/dbsc';
 * const dbsc = deviceBoundSessions({ boundCookieLifetime: '10m' });
 * const latchkey = createLatchkey({
 *   policy: { ...presets.productivity, deviceBinding: 'offered' },
 *   store: new MemoryStore(),
 *   deviceBinding: dbsc,
 * });
 * const answer = async (request: Request): Promise<Response> =>
 *   (await dbsc.handle(request)) ?? new Response('not found', { status: 404 });
 */
export function deviceBoundSessions(options: DeviceBindingOptions = {}): DeviceBinding {
  const registrationPath = checkPath(
    'registrationPath',
    options.registrationPath ?? '/dbsc/register',
  );
  const refreshPath = checkPath('refreshPath', options.refreshPath ?? '/dbsc/refresh');
  if (registrationPath === refreshPath)
    throw new ConfigError('deviceBoundSessions: registrationPath and refreshPath must differ');
  const boundLifetime = lifetime(
    'boundCookieLifetime',
    options.boundCookieLifetime,
    10 * MINUTE,
    MINUTE,
    60 * MINUTE,
  );
  const challengeLifetime = lifetime(
    'challengeLifetime',
    options.challengeLifetime,
    5 * MINUTE,
    10_000,
    60 * MINUTE,
  );
  const algorithms = [...(options.algorithms ?? ALGORITHMS)];
  if (algorithms.length === 0 || algorithms.some((a) => !ALGORITHMS.includes(a)))
    throw new ConfigError(
      `deviceBoundSessions: algorithms must be some of ES256, RS256, got ${String(algorithms)}`,
    );
  const allowNone = options.allowNone === true;
  let state: BindingState | undefined;

  const attach = (context: BindingContext): BindingHooks => {
    if (state)
      throw new ConfigError(
        'deviceBoundSessions: this binding is already attached to an engine; create one per engine',
      );
    const { ledger, random, sink, prefix, cookieOptions, cookie } = context;
    const store = ledger.access.store;
    if (typeof store.consume !== 'function')
      throw new StoreCapabilityError(
        'consume',
        `device binding (DBSC challenges are single-use; ${ATOMIC_STORES})`,
        store.name,
      );
    const base = baseName(cookieOptions.name ?? 'session');
    const quiet = { ...cookieOptions, warn: () => {} };
    const bound = resolveSessionCookie(
      { ...quiet, name: options.boundCookieName ?? `${base}-bound` },
      { persistent: true },
    );
    // RFC 6265bis §4.1.3.2: __Host- needs Path=/, so the cookie scoped to the refresh path is __Secure-.
    const longLived: ResolvedCookie = resolveSessionCookie(
      { ...quiet, name: base, path: refreshPath, prefix: cookieOptions.prefix ?? 'auto' },
      { persistent: cookie.persistent },
    );
    if (
      bound.name === cookie.name ||
      (longLived.name === cookie.name && refreshPath === (cookieOptions.path ?? '/'))
    )
      throw new ConfigError('deviceBoundSessions: the bound cookie needs a name of its own');
    const tokens = new BoundTokens(ledger.access, prefix, random);
    state = {
      context,
      registrationPath,
      refreshPath,
      boundLifetime,
      algorithms,
      allowNone,
      options,
      bound,
      longLived,
      tokens,
      challenges: new Challenges(ledger.access, prefix, random, challengeLifetime),
    };
    const s = state;
    const carries = (request: Request): boolean => {
      const header = request.headers.get('cookie');
      return bound.read(header) !== undefined || longLived.read(header) !== undefined;
    };
    return {
      async boundHandle(request) {
        const handle = await tokens.resolve(bound.read(request.headers.get('cookie')));
        if (handle === undefined)
          for (const skipped of readSkipped(request.headers))
            emit(sink, { type: 'device-binding-skipped', at: ledger.now(), ...skipped });
        return handle;
      },
      refusedLongLived(handle, record, now) {
        emit(sink, {
          type: 'device-binding-refused',
          at: now,
          reason: 'long-lived-cookie',
          handle,
          userId: record.uid,
        });
      },
      async issued(issue: Issue): Promise<BindingOutput> {
        const { record, now } = issue;
        if (record.dbsc) {
          const maxAge = Math.ceil((record.absoluteDeadline - now) / 1000);
          return {
            replacesSessionCookie: true,
            setCookie: [
              longLived.serialize(issue.id, maxAge, now),
              await mintBoundCookie(s, issue.handle, record, now),
            ],
            headers: [],
          };
        }
        const offer =
          issue.cause === 'login' ||
          issue.cause === 'reauthentication' ||
          issue.cause === 'remember-me';
        const stale = carries(issue.request) ? [bound.clear(), longLived.clear()] : [];
        if (!offer || record.uid === null)
          return { replacesSessionCookie: false, setCookie: stale, headers: [] };
        const challenge = await s.challenges.forRegistration(issue.handle);
        const header = registrationHeader({
          algorithms: allowNone ? [...algorithms, 'none'] : algorithms,
          path: registrationPath,
          challenge,
        });
        return {
          replacesSessionCookie: false,
          setCookie: stale,
          headers: [['secure-session-registration', header]],
        };
      },
      cleared: () => [bound.clear(), longLived.clear()],
    };
  };

  return {
    registrationPath,
    refreshPath,
    attach,
    async handle(request, facts) {
      if (!state)
        throw new ConfigError(
          'deviceBoundSessions: pass it to createLatchkey({ deviceBinding }) before handling requests',
        );
      const path = new URL(request.url).pathname;
      if (path === registrationPath) return handleRegistration(state, request, facts);
      if (path === refreshPath) return handleRefresh(state, request, facts);
      return null;
    },
  };
}

/**
 * Whether a loaded session is bound to a device (its browser registered a DBSC key).
 *
 * @example
 * const outcome = await rs.load();
 * if (outcome.valid && !isDeviceBound(outcome.session)) console.log('not bound (yet)');
 */
export function isDeviceBound(session: Session<SessionData> | null | undefined): boolean {
  return session?.record.dbsc !== undefined;
}
