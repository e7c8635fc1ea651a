/**
 * Latchkey sessions as Hono middleware: the session on `c.var.session`, loaded only when asked
 * for and committed after the handler; guards narrow it (after `requireSession()`,
 * `c.var.session.current.userId` is a `string`). Typed by each handler's `Env`; the package's
 * npm entry (index.ts) also types `c.var` for every app through Hono's `ContextVariableMap`.
 */

import {
  assertSessionEngine,
  authenticateBearer,
  ConfigError,
  csrfGuard,
  expiryResponse,
  sessionFailureResponse,
  stepUpResponse,
  type AccessTokenVerifier,
  type BearerOptions,
  type CsrfOptions,
  type DeviceFacts,
  type Duration,
  type FreshAuthOptions,
  type ExpiryResponseOptions,
  type RequestSession,
  type SessionData,
  type SessionEngine,
  type SignedInRequestSession,
} from '@latchkey/core';
import { deviceBindingResponse, deviceBoundEnough, type DeviceBinding } from '@latchkey/core/dbsc';
import type { AccessClaims } from '@latchkey/core/tokens';
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';

/** What a handler after `requireAccessToken()` sees. */
export type AccessTokenEnv = { Variables: { claims: AccessClaims } };

/** The variables `latchkey()` sets, for apps that type their `Env` by hand or chain `.use()`. */
export type SessionEnv<Data extends SessionData = SessionData> = {
  Variables: { session: RequestSession<Data>; latchkey: SessionEngine<Data> };
};

/** What a handler after `requireSession()` or `requireFreshAuth()` sees: a signed-in session. */
export type SignedInEnv<Data extends SessionData = SessionData> = {
  Variables: { session: SignedInRequestSession<Data>; latchkey: SessionEngine<Data> };
};

/** Options for {@link latchkey}. */
export interface LatchkeyMiddlewareOptions {
  /**
   * Device facts (the client IP) for a request; nothing is trusted by default.
   * E.g. `(c) => ({ ip: getConnInfo(c).remote.address })` with your runtime's `getConnInfo`.
   */
  device?: (c: Context) => DeviceFacts;
  /**
   * Refuse cross-site state-changing requests with 403 `csrf_rejected` before
   * any handler runs (the core's `checkCsrf`); `true` for the defaults. Off by default.
   */
  csrf?: CsrfOptions | true;
}

/**
 * The middleware: one `RequestSession` per request on `c.var.session`,
 * committed (store writes, then Set-Cookie) after `await next()`. `engine` is
 * `createLatchkey(...)` or `createSealedSessions(...)`. A store failure becomes
 * a 503 and a lost write race a 409, wherever in the request it happens.
 * With `csrf`, a cross-site POST is answered 403 before anything else runs.
 *
 * @example
 * const app = new Hono();
 * app.use(latchkey(engine, { csrf: { trustedOrigins: ['https://admin.app.example'] } }));
 * app.get('/me', requireSession(), (c) => c.json({ user: c.var.session.current.userId }));
 */
export function latchkey<Data extends SessionData = SessionData>(
  engine: SessionEngine<Data>,
  options: LatchkeyMiddlewareOptions = {},
): MiddlewareHandler<SessionEnv<Data>> {
  assertSessionEngine(engine, 'latchkey()');
  const csrf = options.csrf === undefined ? null : csrfGuard(options.csrf);
  return async (c, next) => {
    const refused = csrf?.(c.req.raw);
    if (refused) return refused;
    const session = engine.forRequest(c.req.raw, options.device?.(c));
    c.set('session', session);
    c.set('latchkey', engine);
    await next();
    let response =
      c.error === undefined ? null : sessionFailureResponse(c.req.raw, c.error as unknown);
    try {
      // The core's commit returns a copy with mutable headers when it adds any (so a proxied `fetch()` response is fine).
      response ??= await session.commit(c.res);
    } catch (error) {
      response = sessionFailureResponse(c.req.raw, error);
      if (!response) throw error;
    }
    if (response === c.res) return;
    // Clear first: Hono's `res` setter merges the old response's headers into the new one, which would put back the old Set-Cookie list.
    c.res = undefined;
    c.res = response;
  };
}

/**
 * For `app.onError`: a store failure thrown in a handler answers 503 and a lost write race 409,
 * quietly (the middleware answers them so anyway, but Hono's default error handler first logs a
 * stack for each: one per request while a store is down). Any other error goes to `fallback`, or
 * is answered as Hono's default does (an `HTTPException`'s own response, else a logged 500).
 *
 * @example
 * app.onError(latchkeyErrorHandler());
 * app.onError(latchkeyErrorHandler((error, c) => c.json({ error: 'internal_error' }, 500)));
 */
export function latchkeyErrorHandler(fallback?: ErrorHandler): ErrorHandler {
  return (error, c) => {
    const failure = sessionFailureResponse(c.req.raw, error);
    if (failure) return failure;
    if (fallback) return fallback(error, c);
    if ('getResponse' in error && typeof error.getResponse === 'function')
      return (error.getResponse as () => Response)();
    console.error(error);
    return c.text('Internal Server Error', 500);
  };
}

/** The session and engine the middleware set, or an error naming the fix. */
function attached(
  c: Context,
  guard: string,
): { session: RequestSession<SessionData>; engine: SessionEngine<SessionData> } {
  const session = c.get('session') as RequestSession<SessionData> | undefined;
  const engine = c.get('latchkey') as SessionEngine<SessionData> | undefined;
  if (session && engine) return { session, engine };
  throw new ConfigError(
    `${guard}: no Latchkey session on this request; register the middleware before the guard: app.use(latchkey(engine))`,
  );
}

/**
 * Guard: continue only with a signed-in session (an anonymous one, from
 * `start()`, does not pass); otherwise answer with the core's graceful expiry
 * response (401 JSON with the reason, or 303 to the login page). The handler
 * after it reads `c.var.session.current.userId` as a `string`.
 *
 * @example
 * app.get('/inbox', requireSession({ loginPath: '/signin' }), (c) => c.text(c.var.session.current.userId));
 */
export function requireSession<Data extends SessionData = SessionData>(
  options: ExpiryResponseOptions = {},
): MiddlewareHandler<SignedInEnv<Data>> {
  return async (c, next) => {
    const outcome = await attached(c, 'requireSession()').session.load();
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome, options);
    if (outcome.session.userId === null)
      return expiryResponse(c.req.raw, { reason: 'missing' }, options);
    await next();
  };
}

/**
 * Guard for sensitive actions (step-up, ASVS V7.5.3): a signed-in session that
 * authenticated at most `maxAge` ago (default: the policy's `freshAuthAge`),
 * by one of `methods` and with user verification when asked; otherwise the
 * core's 403 `{"error":"step_up_required","max_age":…,"methods":[…]}` (a short
 * text for a page navigation). A bare duration is `maxAge` alone.
 *
 * @example
 * app.post('/password', requireFreshAuth('5m'), changePassword);
 * app.post('/transfer', requireFreshAuth({ methods: ['passkey'], maxAge: '5m' }), transfer);
 */
export function requireFreshAuth<Data extends SessionData = SessionData>(
  check?: Duration | FreshAuthOptions,
): MiddlewareHandler<SignedInEnv<Data>> {
  return async (c, next) => {
    const { session, engine } = attached(c, 'requireFreshAuth()');
    const outcome = await session.load();
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome);
    // An anonymous session (`start()`) has no sign-in to step up from: it is asked to sign in.
    if (outcome.session.userId === null) return expiryResponse(c.req.raw, { reason: 'missing' });
    const verdict = engine.requireFreshAuth(outcome.session, check);
    if (!verdict.fresh) return stepUpResponse(c.req.raw, { requirement: verdict.requirement });
    await next();
  };
}

/**
 * Guard for APIs called with an access token (`Authorization: Bearer …`, RFC
 * 6750): verifies it with the issuer (`createTokenIssuer(...)` from
 * `@latchkey/core/tokens`, revocation included) and puts its claims on
 * `c.var.claims`; otherwise 401 `invalid_token` with `WWW-Authenticate: Bearer`,
 * or 503 when the store cannot be read. Needs no `latchkey()` middleware. An issuer with
 * `dpop` (RFC 9449) also takes `Authorization: DPoP` with a proof, and refuses bound tokens without.
 *
 * @example
 * app.get('/api/me', requireAccessToken(tokens), (c) => c.json({ user: c.var.claims.sub }));
 */
export function requireAccessToken(
  verifier: AccessTokenVerifier,
  options: BearerOptions = {},
): MiddlewareHandler<AccessTokenEnv> {
  if (typeof verifier?.verifyAccess !== 'function')
    throw new TypeError(
      'requireAccessToken(): expected a token issuer, e.g. createTokenIssuer({ keys, store, policy: presets.api })',
    );
  return async (c, next) => {
    const auth = await authenticateBearer(c.req.raw, verifier, options);
    if (!auth.valid) return auth.response;
    for (const [name, value] of Object.entries(auth.headers ?? {})) c.header(name, value);
    c.set('claims', auth.claims);
    await next();
  };
}

/**
 * The two DBSC endpoints (registration and refresh) of `binding`, answered before any route;
 * every other request goes on. Register it with `app.use()`, beside `latchkey()`.
 *
 * @example
 * const dbsc = deviceBoundSessions({ refreshPath: '/dbsc/refresh' }); // from @latchkey/core/dbsc
 * const engine = createLatchkey({ policy: { ...presets.productivity, deviceBinding: 'offered' }, store, deviceBinding: dbsc });
 * app.use(dbscEndpoints(dbsc), latchkey(engine));
 */
export function dbscEndpoints(
  binding: DeviceBinding,
  options: { device?: (c: Context) => DeviceFacts } = {},
): MiddlewareHandler {
  if (typeof binding?.handle !== 'function')
    throw new TypeError(
      'dbscEndpoints(): expected deviceBoundSessions({...}) from @latchkey/core/dbsc',
    );
  return async (c, next) => {
    const answer = await binding.handle(c.req.raw, options.device?.(c));
    if (answer) return answer;
    await next();
  };
}

/**
 * Guard: a signed-in session that, under `policy.deviceBinding: 'required'`, is bound to its
 * device (DBSC); otherwise the expiry response, or 403 `{"error":"device_binding_required"}`.
 * Under `'offered'` unbound sessions pass, so browsers without DBSC keep working.
 *
 * @example
 * app.post('/transfer', requireDeviceBound(), (c) => c.text(`sent by ${c.var.session.current.userId}`));
 */
export function requireDeviceBound<Data extends SessionData = SessionData>(
  options: ExpiryResponseOptions = {},
): MiddlewareHandler<SignedInEnv<Data>> {
  return async (c, next) => {
    const { session, engine } = attached(c, 'requireDeviceBound()');
    const outcome = await session.load();
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome, options);
    if (outcome.session.userId === null)
      return expiryResponse(c.req.raw, { reason: 'missing' }, options);
    if (!deviceBoundEnough(engine.policy, outcome.session)) return deviceBindingResponse(c.req.raw);
    await next();
  };
}
