/**
 * A `SessionStore` over Workers KV: get, set with TTL, delete, and nothing
 * more, because Workers KV cannot promise more.
 *
 * - Eventual consistency: a write is visible at once where it was made but
 *   can take 60 seconds or more to reach other locations, so a session
 *   revoked (logged out, rotated, "log out everywhere") in one place can stay
 *   usable elsewhere for that long (zpg6/better-auth-cloudflare#61). There is
 *   no atomic read-and-delete or compare-and-swap, so the store claims no
 *   `consume` or `compareAndSet`, and no `userIndex` (a list-based index
 *   would be eventually consistent too). Features needing those (refresh or
 *   remember-me rotation, strict session versions, listing and revoking a
 *   user's sessions, session limits) want `durableObjectStore`.
 * - Minimum TTL: KV refuses `expirationTtl` under 60 seconds (better-auth#7124,
 *   unjs/unstorage#496). Shorter TTLs are written with 60 s, and the value
 *   carries its own deadline (core's envelope), checked on every read, so it
 *   is never returned after the TTL asked for; KV frees the space later.
 */

import {
  checkString,
  checkTtl,
  checkValue,
  envelope,
  openEnvelope,
  systemClock,
  type Clock,
  type SessionStore,
} from '@latchkey/core/store';
import type { KvNamespaceLike } from './bindings.js';

/**
 * Workers KV's smallest `expirationTtl`, in seconds.
 *
 * @example
 * if (ttlMs < KV_MIN_TTL_SECONDS * 1000) console.info('KV keeps it 60 s; the value still ends on time');
 */
export const KV_MIN_TTL_SECONDS = 60;

/** Options for {@link workersKvStore}. */
export interface WorkersKvStoreOptions {
  /** Prepended to every key (default none), to share a namespace. */
  prefix?: string;
  /** The clock deadlines are judged on (default the system clock). Tests inject a `ManualClock`. */
  clock?: Clock;
}

const where = 'workersKvStore';

/**
 * The `expirationTtl` KV is given for a TTL: whole seconds, rounded up, at least 60.
 *
 * @example
 * kvExpirationTtl(1_000); // 60
 * kvExpirationTtl(61_500); // 62
 */
export const kvExpirationTtl = (ttlMs: number): number =>
  Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlMs / 1000));

/**
 * A session store on a Workers KV namespace (get/set/delete with TTL only; see the module header for what
 * KV cannot promise and when to use `durableObjectStore` instead).
 *
 * @example
 * export default withWorkerSessions(
 *   (env) => createLatchkey({ policy: presets.productivity, store: workersKvStore(env.SESSIONS) }),
 *   async ({ session }) => Response.json((await session.load()).valid),
 * );
 */
export function workersKvStore(
  namespace: KvNamespaceLike,
  options: WorkersKvStoreOptions = {},
): SessionStore {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string')
    throw new TypeError(`${where}: prefix must be a string, got ${typeof prefix}`);
  const clock = options.clock ?? systemClock;
  return {
    name: 'workers-kv',
    async get(key) {
      checkString(where, 'key', key);
      return openEnvelope(await namespace.get(prefix + key), clock.now(), where);
    },
    async set(key, value, ttlMs) {
      checkString(where, 'key', key);
      checkValue(where, value);
      checkTtl(where, ttlMs);
      const stored = JSON.stringify(envelope(value, clock.now() + ttlMs));
      await namespace.put(prefix + key, stored, { expirationTtl: kvExpirationTtl(ttlMs) });
    },
    async delete(key) {
      checkString(where, 'key', key);
      await namespace.delete(prefix + key);
    },
  };
}
