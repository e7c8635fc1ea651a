/**
 * A `SessionStore` over Workers KV: get, set with TTL and delete only, since KV
 * is eventually consistent and has no atomic operations (use
 * `durableObjectStore` for those). KV's TTL is at least 60 s, so each value is
 * core's `{ v, e }` envelope, never returned past its deadline (docs/stores.md).
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
