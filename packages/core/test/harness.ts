/**
 * Test harness for the engine suites: a manual clock, a MemoryStore wrapped
 * in a counting proxy (so a test can assert how many store calls a request
 * cost), an event log, and a tiny "browser" that keeps the session cookie
 * the way a real one does (Set-Cookie sets it, Max-Age=0 clears it).
 */

import { ManualClock } from '../src/clock.js';
import { createLatchkey, type LatchkeyOptions } from '../src/engine.js';
import type { SessionEvent } from '../src/events.js';
import type { LoadOutcome } from '../src/outcome.js';
import type { PolicyOptions, SessionPolicy } from '../src/policy.js';
import type { ServerRequestSession as RequestSession } from '../src/request-session.js';
import type { SessionData } from '../src/session.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';

export const COOKIE = '__Host-session';
export const ORIGIN = 'https://app.example';

/** A policy with renewal off, so tests that are not about renewal see one ID per session. */
export const basePolicy: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
  expiryNotice: '15m',
};

export type StoreCall =
  | 'get'
  | 'set'
  | 'delete'
  | 'compareAndSet'
  | 'consume'
  | 'index.add'
  | 'index.list'
  | 'index.remove'
  | 'index.removeAll';
const WRITES: ReadonlySet<StoreCall> = new Set([
  'set',
  'delete',
  'compareAndSet',
  'consume',
  'index.add',
  'index.remove',
  'index.removeAll',
]);

/** A store that forwards to `inner` and records every call. */
export interface CountingStore extends SessionStore {
  readonly calls: StoreCall[];
  reads(): number;
  writes(): number;
  reset(): void;
}

export function counting(inner: MemoryStore, options: { userIndex?: boolean } = {}): CountingStore {
  const calls: StoreCall[] = [];
  const log = <T>(call: StoreCall, result: Promise<T>): Promise<T> => {
    calls.push(call);
    return result;
  };
  const index = inner.userIndex;
  return {
    name: 'counting-memory',
    calls,
    reads: () => calls.filter((c) => !WRITES.has(c)).length,
    writes: () => calls.filter((c) => WRITES.has(c)).length,
    reset: () => void calls.splice(0),
    get: (k) => log('get', inner.get(k)),
    set: (k, v, t) => log('set', inner.set(k, v, t)),
    delete: (k) => log('delete', inner.delete(k)),
    consume: (k) => log('consume', inner.consume(k)),
    compareAndSet: (k, e, v, t) => log('compareAndSet', inner.compareAndSet(k, e, v, t)),
    ...(options.userIndex === false
      ? {}
      : {
          userIndex: {
            add: (u, m, t) => log('index.add', index.add(u, m, t)),
            list: (u) => log('index.list', index.list(u)),
            remove: (u, m) => log('index.remove', index.remove(u, m)),
            removeAll: (u) => log('index.removeAll', index.removeAll(u)),
          },
        }),
  };
}

export interface HarnessOptions extends Partial<
  Omit<LatchkeyOptions, 'policy' | 'store' | 'clock'>
> {
  policy?: SessionPolicy | PolicyOptions;
  userIndex?: boolean;
}

export type Handler<D extends SessionData> = (
  rs: RequestSession<D>,
  outcome: LoadOutcome<D>,
) => unknown;

export interface Visit<D extends SessionData> {
  outcome: LoadOutcome<D> | undefined;
  response: Response;
  setCookie: string[];
  rs: RequestSession<D>;
}

/** Everything a test needs, wired to one manual clock. */
export function harness<D extends SessionData = SessionData>(options: HarnessOptions = {}) {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const store = counting(memory, { userIndex: options.userIndex });
  const events: SessionEvent[] = [];
  const { policy = basePolicy, userIndex: _ignored, ...rest } = options;
  const lk = createLatchkey<D>({
    onEvent: (e) => void events.push(e),
    ...rest,
    policy,
    store,
    clock,
  });

  function request(
    cookieHeader?: string,
    init: { accept?: string; path?: string; method?: string } = {},
  ): Request {
    const headers = new Headers();
    if (cookieHeader !== undefined) headers.set('cookie', cookieHeader);
    if (init.accept) headers.set('accept', init.accept);
    return new Request(ORIGIN + (init.path ?? '/'), { headers, method: init.method ?? 'GET' });
  }

  /** One request carrying `id` as the session cookie: load (unless `load: false`), run the handler, commit. */
  async function visit(
    id: string | undefined,
    handler?: Handler<D>,
    init: { load?: boolean; header?: string } = {},
  ): Promise<Visit<D>> {
    const header = init.header ?? (id === undefined ? undefined : `${COOKIE}=${id}`);
    const rs = lk.forRequest(request(header));
    const outcome = init.load === false ? undefined : await rs.load();
    if (handler) await handler(rs, outcome!);
    const response = await rs.commit(new Response('ok'));
    return { outcome, response, setCookie: response.headers.getSetCookie(), rs };
  }

  /** A browser: one cookie jar holding the session cookie. */
  function browser() {
    const b = {
      id: undefined as string | undefined,
      async go(handler?: Handler<D>, init: { load?: boolean } = {}): Promise<Visit<D>> {
        const v = await visit(b.id, handler, init);
        for (const line of v.setCookie) {
          const parsed = parseSetCookie(line);
          if (parsed.name !== COOKIE) continue;
          b.id = parsed.maxAge === 0 ? undefined : parsed.value;
        }
        return v;
      },
    };
    return b;
  }

  /** A fresh signed-in browser. */
  async function signedIn(userId = 'ada', data?: Partial<D>) {
    const b = browser();
    await b.go((rs) => rs.login(userId, data ? { data } : {}));
    if (!b.id) throw new Error('login set no cookie');
    return b;
  }

  return { clock, memory, store, events, lk, request, visit, browser, signedIn };
}

/** Name, value and Max-Age of a Set-Cookie line. */
export function parseSetCookie(line: string): {
  name: string;
  value: string;
  maxAge: number | undefined;
  attributes: string[];
} {
  const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const maxAge = attributes.find((a) => /^max-age=/i.test(a));
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    maxAge: maxAge === undefined ? undefined : Number(maxAge.split('=')[1]),
    attributes,
  };
}

/** A well-formed session ID (43 base64url characters) that no engine issued. */
export const NEVER_ISSUED = 'A'.repeat(43);

/** The outcome's reason, or 'valid'. */
export const verdict = (o: LoadOutcome<SessionData> | undefined): string =>
  o === undefined ? 'not loaded' : o.valid ? 'valid' : o.reason;
