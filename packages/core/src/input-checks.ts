/**
 * Checks of what an app passes in at the public edge, each failing with the fix:
 * `createLatchkey` and `createSealedSessions` options at construction (required
 * options, unknown names, a raw Redis, unstorage or KV client passed as the store),
 * and the request `forRequest` is given, on every request (one `instanceof` when right).
 */

import { ConfigError } from './errors.js';
import { unknownOption } from './option-names.js';
import { POLICY_OPTION_NAMES } from './policy.js';

/** The option names of `LatchkeyOptions` (kept equal to the interface by a type test). */
export const LATCHKEY_OPTION_NAMES = [
  'policy',
  'store',
  'cookie',
  'clock',
  'random',
  'onEvent',
  'sessionLimit',
  'keyPrefix',
  'clearSiteData',
  'rememberMe',
  'storeTimeout',
  'deviceBinding',
] as const;
/** The option names of `SessionLimit`. */
export const SESSION_LIMIT_OPTION_NAMES = ['max', 'onLimit'] as const;
/** The option names of `RememberMeOptions`. */
export const REMEMBER_ME_OPTION_NAMES = ['cookieName', 'grace'] as const;
/** The option names of `SealedSessionsOptions`. */
export const SEALED_OPTION_NAMES = [
  'policy',
  'secrets',
  'clock',
  'random',
  'onEvent',
  'cookie',
  'chunking',
  'maxChunks',
  'notBefore',
  'cache',
] as const;

const LATCHKEY_EXAMPLE =
  'createLatchkey({ policy: presets.productivity, store: new MemoryStore() })';
const SEALED_EXAMPLE =
  'createSealedSessions({ policy: presets.productivity, secrets: [env.SESSION_SECRET] })';
const LIFETIME_IN_POLICY =
  "the remember-me lifetime is the policy's: policy: { ...presets.productivity, rememberMe: '30d' }";

/** For a policy option written at the top level: say where it belongs. */
const inPolicy = (call: string, rest: string): Record<string, string> =>
  Object.fromEntries(
    POLICY_OPTION_NAMES.map((key) => [
      key,
      `${key} belongs in the policy: ${call}({ policy: { ...presets.productivity, ${key}: ... }, ${rest} })`,
    ]),
  );

const LATCHKEY_HINTS: Record<string, string> = {
  ...inPolicy('createLatchkey', 'store'),
  secret:
    'server-side sessions keep a random ID in the cookie and need no secret; sealed cookie sessions take secrets (createSealedSessions from @latchkey/core/sealed)',
  secrets:
    'server-side sessions keep a random ID in the cookie and need no secret; sealed cookie sessions take secrets (createSealedSessions from @latchkey/core/sealed)',
  prefix: 'did you mean "keyPrefix" (store keys) or cookie: { prefix }?',
  limit: 'did you mean sessionLimit: { max, onLimit }?',
};

const SEALED_HINTS: Record<string, string> = {
  ...inPolicy('createSealedSessions', 'secrets'),
  secret: 'did you mean "secrets"? It takes a list, newest first: secrets: [env.SESSION_SECRET]',
  store:
    'sealed sessions keep the session in the cookie, not a store; for log-out-everywhere pass notBefore: { store }, or use createLatchkey({ policy, store }) for server-side sessions',
  sessionLimit:
    'sealed sessions cannot count a user’s sessions (there is no store); use createLatchkey for a session limit',
  rememberMe: 'sealed sessions do not offer remember-me; use createLatchkey with a store',
  keyPrefix: 'the not-before store takes it: notBefore: { store, keyPrefix }',
};

const REMEMBER_ME_HINTS: Record<string, string> = {
  lifetime: LIFETIME_IN_POLICY,
  maxAge: LIFETIME_IN_POLICY,
  ttl: LIFETIME_IN_POLICY,
  duration: LIFETIME_IN_POLICY,
};

function refuseUnknown(
  where: string,
  options: object,
  known: readonly string[],
  hints?: Record<string, string>,
): void {
  const unknown = unknownOption(options, known, hints);
  if (unknown) throw new ConfigError(`${where}: ${unknown.message}`);
}

/** What a value is, in words, for messages. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const has = (value: object, ...names: string[]): boolean =>
  names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/** A raw client recognised by its shape, and the wrapper that makes it a store. */
const RAW_CLIENTS: ReadonlyArray<{ is: (s: object) => boolean; what: string; fix: string }> = [
  {
    is: (s) => has(s, 'hget', 'eval') && 'status' in s,
    what: 'a raw ioredis client',
    fix: "wrap it: store: redisStore(client), from '@latchkey/unstorage'",
  },
  {
    is: (s) => has(s, 'getItem', 'setItem', 'removeItem'),
    what: 'an unstorage Storage',
    fix: "wrap it: store: unstorageStore(storage), from '@latchkey/unstorage'",
  },
  {
    is: (s) => has(s, 'atomic', 'getMany'),
    what: "a Deno KV database (from Deno's openKv())",
    fix: "wrap it: store: denoKvStore(kv), from '@latchkey/deno'",
  },
  {
    is: (s) => has(s, 'getWithMetadata'),
    what: 'a Workers KVNamespace',
    fix: "wrap it: store: workersKvStore(env.KV), from '@latchkey/workers'",
  },
];

/**
 * Refuse anything passed as a store that is not one: a raw Redis, unstorage or KV
 * client (naming the wrapper to use), a `Map`, a promise, a class, or an object
 * missing `get`, `set` or `delete` (naming which).
 *
 * @example
 * checkStore(new Redis({ lazyConnect: true }), 'createLatchkey: store');
 * // ConfigError: createLatchkey: store is a raw ioredis client; wrap it: store: redisStore(client), …
 */
export function checkStore(store: unknown, where: string): void {
  if (typeof store === 'function')
    throw new TypeError(
      `${where} is a function; pass a store object (did you forget new, as in new MemoryStore(), or to call a factory, as in redisStore(client)?)`,
    );
  if (store === null || typeof store !== 'object')
    throw new TypeError(`${where}: expected a store object, got ${kind(store)}`);
  if (has(store, 'then'))
    throw new TypeError(`${where} is a promise; await it before passing the store`);
  if (store instanceof Map)
    throw new ConfigError(
      `${where} is a Map, which never expires its entries; use new MemoryStore() (it has TTLs and a user index)`,
    );
  for (const client of RAW_CLIENTS)
    if (client.is(store)) throw new ConfigError(`${where} is ${client.what}; ${client.fix}`);
  const missing = ['get', 'set', 'delete'].filter((name) => !has(store, name));
  if (missing.length > 0)
    throw new ConfigError(
      `${where} is missing ${missing.join(' and ')}; a store implements get(key), set(key, value, ttlMs) and delete(key) ` +
        "(SessionStore), or use new MemoryStore() or a store from '@latchkey/unstorage', '@latchkey/deno' or '@latchkey/workers'",
    );
}

function requireOptions(call: string, options: unknown, required: string[], example: string) {
  if (options === undefined || options === null)
    throw new ConfigError(`${call} needs options with ${required.join(' and ')}: ${example}`);
  if (typeof options !== 'object')
    throw new TypeError(`${call}: expected an options object, got ${kind(options)}: ${example}`);
  const missing = required.filter((key) => (options as Record<string, unknown>)[key] == null);
  if (missing.length === 0) return;
  const looksLikePolicy = 'idleTimeout' in options || 'absoluteTimeout' in options;
  throw new ConfigError(
    `${call}: missing ${missing.join(' and ')}${looksLikePolicy ? ' (these look like policy options: pass them as policy)' : ''}: ${example}`,
  );
}

function checkPolicyValue(call: string, policy: unknown): void {
  if (typeof policy !== 'object')
    throw new TypeError(
      `${call}: policy expected a preset or definePolicy(...), got ${kind(policy)}; write policy: presets.productivity`,
    );
}

/**
 * Check `createLatchkey` options before anything is built: the two required
 * options (with a one-line example), unknown names, the store's shape, and the
 * `sessionLimit` and `rememberMe` options. Cookie options are checked where the
 * cookie is resolved, policy options by `definePolicy`.
 *
 * @example
 * checkLatchkeyOptions({}); // ConfigError: createLatchkey: missing policy and store: createLatchkey({ … })
 */
export function checkLatchkeyOptions(options: unknown): void {
  requireOptions('createLatchkey', options, ['policy', 'store'], LATCHKEY_EXAMPLE);
  const o = options as Record<string, unknown>;
  refuseUnknown('createLatchkey', o, LATCHKEY_OPTION_NAMES, LATCHKEY_HINTS);
  checkPolicyValue('createLatchkey', o.policy);
  checkStore(o.store, 'createLatchkey: store');
  const limit = o.sessionLimit;
  if (limit !== undefined) {
    if (limit === null || typeof limit !== 'object')
      throw new TypeError(
        `sessionLimit: expected { max, onLimit }, got ${kind(limit)}; e.g. sessionLimit: { max: 5, onLimit: 'evict-oldest' }`,
      );
    refuseUnknown('sessionLimit', limit, SESSION_LIMIT_OPTION_NAMES);
  }
  const rememberMe = o.rememberMe;
  if (rememberMe !== undefined) {
    if (rememberMe === null || typeof rememberMe !== 'object')
      throw new TypeError(
        `createLatchkey: rememberMe takes { cookieName, grace }, got ${kind(rememberMe)}; ${LIFETIME_IN_POLICY}`,
      );
    refuseUnknown('rememberMe', rememberMe, REMEMBER_ME_OPTION_NAMES, REMEMBER_ME_HINTS);
  }
}

/**
 * Check `createSealedSessions` options before anything is built: `policy` and
 * `secrets` (with a one-line example), unknown names, and the `notBefore` store.
 *
 * @example
 * checkSealedOptions({ policy: presets.productivity, secret: key });
 * // ConfigError: createSealedSessions: unknown option "secret"; did you mean "secrets"? …
 */
export function checkSealedOptions(options: unknown): void {
  requireOptions('createSealedSessions', options, ['policy', 'secrets'], SEALED_EXAMPLE);
  const o = options as Record<string, unknown>;
  refuseUnknown('createSealedSessions', o, SEALED_OPTION_NAMES, SEALED_HINTS);
  checkPolicyValue('createSealedSessions', o.policy);
  if (!Array.isArray(o.secrets))
    throw new TypeError(
      `createSealedSessions: secrets is a list, newest first, got ${kind(o.secrets)}; write secrets: [env.SESSION_SECRET]`,
    );
  const nb = o.notBefore;
  if (nb !== undefined && (nb === null || typeof nb !== 'object'))
    throw new TypeError(`notBefore: expected a Revocation or { store }, got ${kind(nb)}`);
  if (nb && !has(nb, 'check')) {
    refuseUnknown('notBefore', nb, ['store', 'keyPrefix']);
    checkStore((nb as { store?: unknown }).store, 'createSealedSessions: notBefore.store');
  }
  if (o.cache !== undefined && o.cache !== false) {
    if (o.cache === null || typeof o.cache !== 'object')
      throw new TypeError(`cache: expected { maxEntries } or false, got ${kind(o.cache)}`);
    refuseUnknown('cache', o.cache, ['maxEntries']);
  }
}

/** What a non-`Request` passed to `forRequest` most likely is, and the fix. */
function notARequest(value: unknown, where: string): string {
  const expected = `${where}: expected a Fetch API Request`;
  if (value === null || typeof value !== 'object') return `${expected}, got ${kind(value)}`;
  const v = value as Record<string, unknown>;
  const headers = v.headers;
  if (
    typeof headers === 'object' &&
    headers !== null &&
    typeof (headers as { get?: unknown }).get !== 'function' &&
    typeof v.method === 'string' &&
    typeof v.url === 'string'
  )
    return (
      `${expected}, got a Node.js IncomingMessage (an Express or node:http req). Use '@latchkey/node': ` +
      'app.use(latchkeyMiddleware(latchkey)) gives every request req.session, or pass toRequest(req)'
    );
  const hono = (v.raw ?? (v.req as Record<string, unknown> | undefined)?.raw) as unknown;
  if (hono instanceof Request)
    return `${expected}, got a Hono ${v.raw ? 'c.req' : 'context'}; pass c.req.raw, or use the middleware from '@latchkey/hono'`;
  return `${expected}, got ${kind(value)} that is not one (no headers.get, url and method)`;
}

/**
 * The request, if it is a Fetch API `Request` (or shaped like one: `headers.get`,
 * `url`, `method`); otherwise a `TypeError` saying what it looks like and the fix,
 * e.g. an Express `req` names `@latchkey/node`. One `instanceof` on the usual path.
 *
 * @example
 * const rs = new ServerRequestSession(engine, requireRequest(request, 'forRequest'));
 */
export function requireRequest(request: unknown, where: string): Request {
  if (request instanceof Request) return request;
  const r = request as Partial<Request> | null | undefined;
  // Another realm's or a polyfill's Request (undici's own, a test runner's) is still a Request.
  if (
    typeof r?.headers?.get === 'function' &&
    typeof r.url === 'string' &&
    typeof r.method === 'string'
  )
    return r as Request;
  throw new TypeError(notARequest(request, where));
}
