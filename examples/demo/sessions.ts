/**
 * The demo's engines: one per policy preset, all on one store and one clock,
 * each with its own cookie, so a session stays under the preset it was
 * created with when the playground switches the preset for new logins. One
 * token issuer (`api` preset) serves the single-page app and `/api/token`.
 */

import {
  createLatchkey,
  presets,
  type Latchkey,
  type PresetName,
  type RequestSession,
  type SessionEngine,
} from '@latchkey/core';
import { createTokenIssuer, type TokenIssuer } from '@latchkey/core/tokens';
import { latchkey } from '@latchkey/hono';
import type { Context, MiddlewareHandler } from 'hono';
import type { DemoClock } from './clock.js';
import type { EventLog } from './event-log.js';
import type { OpenedStore } from './stores.js';

export const PRESETS = Object.keys(presets) as PresetName[];

/** What the demo's handlers see on `c.var`. */
export type DemoEnv = {
  Variables: {
    session: RequestSession;
    latchkey: SessionEngine;
    /** The preset of the engine serving this request. */
    preset: PresetName;
  };
};

export interface DemoSessions {
  readonly engines: Readonly<Record<PresetName, Latchkey>>;
  /** The engine with remember-me (productivity): it also forgets remembered logins on "log out everywhere". */
  readonly devices: Latchkey;
  readonly tokens: TokenIssuer;
  /** The preset new logins get; the playground switches it. */
  active: PresetName;
  /** Cookie names, for the page that explains them. */
  readonly cookies: {
    readonly session: (p: PresetName) => string;
    readonly remember: string;
    readonly refresh: string;
  };
  /** The middleware: picks the engine by the cookie the request carries, then runs `@latchkey/hono`. */
  readonly middleware: MiddlewareHandler<DemoEnv>;
}

const sessionCookie = (preset: PresetName) => `lk_${preset}`;
const REMEMBER = 'lk_remember';
const REFRESH = 'lk_refresh';
/** The single-page app's token routes: the only path the refresh cookie is sent to. */
export const SPA_AUTH = '/spa/auth';

/** Names of the cookies a request carries (values are not looked at here). */
function cookieNames(c: Context): Set<string> {
  const names = new Set<string>();
  for (const part of (c.req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) names.add(part.slice(0, eq).trim());
  }
  return names;
}

export function createSessions(options: {
  store: OpenedStore;
  clock: DemoClock;
  events: EventLog;
  tokenSecret: string;
  /** Served over HTTPS: Secure cookies with their `__Host-`/`__Secure-` prefix, as in production. */
  secure?: boolean;
}): DemoSessions {
  const { clock, events } = options;
  const store = options.store.store;
  // Plain http://localhost: no Secure flag and so no __Host- prefix (WebKit, like Safari, drops
  // Secure cookies there). The server listens on loopback only; production runs on HTTPS.
  const secure = options.secure === true;
  const quiet = secure ? {} : { development: true, warn: () => {} };
  /** The name on the wire: over HTTPS the core adds `__Host-` (`__Secure-` off the root path). */
  const wire = (name: string, path = '/') =>
    secure ? `${path === '/' ? '__Host-' : '__Secure-'}${name}` : name;
  const sessionOf = (preset: PresetName) => wire(sessionCookie(preset));
  const remember = wire(REMEMBER);
  const make = (preset: PresetName): Latchkey =>
    createLatchkey({
      policy: presets[preset],
      store,
      clock,
      onEvent: events.sink,
      sessionLimit: { max: 5, onLimit: 'evict-oldest' },
      cookie: { name: sessionCookie(preset), ...quiet },
      ...(preset === 'productivity' ? { rememberMe: { cookieName: REMEMBER } } : {}),
    });
  const engines = Object.fromEntries(PRESETS.map((p) => [p, make(p)])) as Record<
    PresetName,
    Latchkey
  >;
  const tokens = createTokenIssuer({
    keys: [{ kid: 'demo-1', alg: 'HS256', secret: options.tokenSecret }],
    store,
    clock,
    policy: presets.api,
    onEvent: events.sink,
    cookie: { name: REFRESH, path: SPA_AUTH, ...quiet },
  });
  // Every state-changing request must come from the demo's own pages (Origin / Sec-Fetch-Site).
  const middlewares = Object.fromEntries(
    PRESETS.map((p) => [
      p,
      latchkey(engines[p], {
        csrf: true,
        device: (c) => ({ ip: c.env?.incoming?.socket?.remoteAddress }),
      }),
    ]),
  ) as Record<PresetName, MiddlewareHandler>;

  const sessions: DemoSessions = {
    engines,
    devices: engines.productivity,
    tokens,
    active: 'productivity',
    cookies: { session: sessionOf, remember, refresh: wire(REFRESH, SPA_AUTH) },
    middleware: async (c, next) => {
      const names = cookieNames(c);
      const has = (p: PresetName) =>
        names.has(sessionOf(p)) || (p === 'productivity' && names.has(remember));
      // A cookie is only ever read by the engine that set it, under that engine's policy.
      const preset = has(sessions.active)
        ? sessions.active
        : (PRESETS.find(has) ?? sessions.active);
      c.set('preset', preset);
      return middlewares[preset](c as never, next);
    },
  };
  return sessions;
}

/**
 * Sign `userId` in under the active preset, ending whatever session this
 * request holds under any preset first (so one login leaves one session).
 * The serving engine's changes are committed by the middleware; the Set-Cookie
 * lines of the others are returned for the handler to add.
 */
export async function loginUnderActive(
  sessions: DemoSessions,
  c: Context<DemoEnv>,
  userId: string,
  rememberMe: boolean,
): Promise<string[]> {
  const names = cookieNames(c);
  const target = sessions.active;
  const out: string[] = [];
  for (const preset of PRESETS) {
    if (preset === target || preset === c.var.preset) continue;
    const { session, remember } = sessions.cookies;
    if (!names.has(session(preset)) && !(preset === 'productivity' && names.has(remember)))
      continue;
    const other = sessions.engines[preset].forRequest(c.req.raw);
    await other.logout();
    out.push(...(await other.flush()).setCookie);
  }
  const options = { rememberMe, clean: true, method: 'password' };
  if (target === c.var.preset) {
    await c.var.session.login(userId, options);
    return out;
  }
  await c.var.session.logout();
  const fresh = sessions.engines[target].forRequest(c.req.raw);
  await fresh.login(userId, options);
  out.push(...(await fresh.flush()).setCookie);
  return out;
}
