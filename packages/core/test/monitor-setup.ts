/**
 * Shared by the monitor suites: a real engine (memory store, manual clock,
 * remember-me), a token issuer on the same store, and a monitor fed by both,
 * with every session ID and token the tests were handed collected, so a test
 * can grep the log for them.
 */

import { ManualClock } from '../src/clock.js';
import { createLatchkey, type LatchkeyOptions } from '../src/engine.js';
import type { LoadOutcome } from '../src/outcome.js';
import type { PolicyOptions } from '../src/policy.js';
import { presets } from '../src/presets.js';
import type { ServerRequestSession } from '../src/request-session.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { createTokenIssuer, type TokenPair } from '../src/tokens/issuer.js';
import type { Anomaly } from '../src/monitor/anomaly-rules.js';
import { createMonitor, type MonitorOptions } from '../src/monitor/monitor.js';

export const SESSION = '__Host-session';
export const REMEMBER = '__Host-remember';
const ORIGIN = 'https://app.example';

export const policy: PolicyOptions = {
  name: 'test',
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
  expiryNotice: '15m',
  rememberMe: '14d',
};

/** The same, with renewal every 15 minutes. */
export const renewing: PolicyOptions = { ...policy, name: 'renewing', renewInterval: '15m' };

type Handler = (rs: ServerRequestSession, outcome: LoadOutcome) => unknown;

export interface SetupOptions {
  policy?: PolicyOptions;
  /** The session store, given the test clock. Default: a MemoryStore on it. */
  store?: (clock: ManualClock) => SessionStore;
  sessionLimit?: LatchkeyOptions['sessionLimit'];
  monitor?: Partial<MonitorOptions>;
}

export function monitored(options: SetupOptions = {}) {
  const clock = new ManualClock();
  const store = options.store ? options.store(clock) : new MemoryStore({ clock });
  const lines: string[] = [];
  const alerts: Anomaly[] = [];
  /** Every session ID, remember-me token, refresh and access token handed out. */
  const secrets = new Set<string>();
  const monitor = createMonitor({
    clock,
    salt: 'monitor test salt',
    log: (line) => void lines.push(line),
    onAnomaly: (a) => void alerts.push(a),
    ...options.monitor,
  });
  const lk = createLatchkey({
    policy: options.policy ?? policy,
    store,
    clock,
    onEvent: monitor.onEvent,
    ...(options.sessionLimit ? { sessionLimit: options.sessionLimit } : {}),
  });
  const tokens = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 's'.repeat(32) }],
    store,
    clock,
    policy: presets.api,
    onEvent: monitor.onEvent,
  });

  /** One request with a raw Cookie header, from `ip`. */
  async function send(cookie: string | undefined, handler?: Handler, ip = '198.51.100.7') {
    const request = new Request(`${ORIGIN}/`, { headers: cookie === undefined ? {} : { cookie } });
    const rs = lk.forRequest(request, { ip });
    const outcome = await rs.load();
    if (handler) await handler(rs, outcome);
    const response = await rs.commit(new Response('ok'));
    const set = new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const value = pair.slice(pair.indexOf('=') + 1);
      set.set(pair.slice(0, pair.indexOf('=')), /max-age=0(;|$)/i.test(line) ? '' : value);
      if (value) secrets.add(value);
    }
    return { rs, outcome, set };
  }

  /** A browser: a jar that Set-Cookie fills and Max-Age=0 empties. */
  function browser(ip?: string) {
    const jar = new Map<string, string>();
    const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ') || undefined;
    return {
      jar,
      async go(handler?: Handler) {
        const r = await send(header(), handler, ip);
        for (const [name, value] of r.set) {
          if (value === '') jar.delete(name);
          else jar.set(name, value);
        }
        return r;
      },
    };
  }

  async function signedIn(userId = 'ada', rememberMe = false) {
    const b = browser();
    const r = await b.go((rs) => rs.login(userId, { rememberMe }));
    return Object.assign(b, { handle: r.rs.current!.handle });
  }

  async function issue(userId = 'ada'): Promise<TokenPair> {
    return keep(await tokens.issue(userId));
  }

  function keep(pair: TokenPair): TokenPair {
    secrets.add(pair.accessToken);
    secrets.add(pair.refreshToken);
    return pair;
  }

  const kinds = () => alerts.map((a) => a.kind);
  const ofKind = (kind: Anomaly['kind']) => alerts.filter((a) => a.kind === kind);
  return {
    clock,
    store,
    monitor,
    lk,
    tokens,
    lines,
    alerts,
    secrets,
    send,
    browser,
    signedIn,
    issue,
    keep,
    kinds,
    ofKind,
  };
}

/** A store that never lets anything expire: every TTL is ignored (a store on a frozen clock). */
export const neverExpiring = () => new MemoryStore({ clock: new ManualClock() });
