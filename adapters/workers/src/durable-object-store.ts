/**
 * `durableObjectStore`: the `SessionStore` a Worker uses to talk to
 * `LatchkeySessionsDO`. One object per `name` runs every operation one at a
 * time, so read-then-write operations are atomic and a revocation is seen by
 * the very next request from anywhere (docs/stores.md).
 */

import {
  checkExpected,
  checkString,
  checkTtl,
  checkValue,
  systemClock,
  type Clock,
  type SessionStore,
  type UserIndex,
} from '@latchkey/core/store';
import type { DurableObjectNamespaceLike } from './bindings.js';
import type { SessionsOp } from './sessions-object.js';

/** Options for {@link durableObjectStore}. */
export interface DurableObjectStoreOptions {
  /** Which Durable Object instance holds the sessions (default `'latchkey'`). */
  name?: string;
  /** The clock deadlines are judged on (default the system clock). Tests inject a `ManualClock`. */
  clock?: Clock;
}

const where = 'durableObjectStore';

/**
 * A session store backed by `LatchkeySessionsDO`: strongly consistent, with every optional capability
 * (per-user index, consume-once, compare-and-set).
 *
 * @example
 * export { LatchkeySessionsDO } from '@latchkey/workers';
 * export default withWorkerSessions(
 *   (env) => createLatchkey({ policy: presets.banking, store: durableObjectStore(env.SESSIONS) }),
 *   async ({ session }) => Response.json((await session.load()).valid),
 * );
 */
export function durableObjectStore(
  namespace: DurableObjectNamespaceLike,
  options: DurableObjectStoreOptions = {},
): SessionStore & { userIndex: UserIndex } {
  const name = options.name ?? 'latchkey';
  checkString(where, 'name', name);
  const clock = options.clock ?? systemClock;

  async function call<T>(op: SessionsOp): Promise<T> {
    // A stub per call: cheap, and never carried from one request's context into another's.
    const stub = namespace.get(namespace.idFromName(name));
    const response = await stub.fetch('https://latchkey-sessions.internal/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...op, now: clock.now() }),
    });
    const body = (await response.json().catch(() => ({}))) as { result?: T; error?: string };
    if (!response.ok)
      throw new Error(
        `${where}: ${op.op} failed in the Durable Object: ${body.error ?? response.status}`,
      );
    return body.result as T;
  }

  const userIndex: UserIndex = {
    async add(userId, member, ttlMs) {
      checkString(where, 'userId', userId);
      checkString(where, 'member', member);
      checkTtl(where, ttlMs);
      await call({ op: 'idx.add', userId, member, ttlMs });
    },
    async list(userId) {
      checkString(where, 'userId', userId);
      return call({ op: 'idx.list', userId });
    },
    async remove(userId, member) {
      checkString(where, 'userId', userId);
      checkString(where, 'member', member);
      await call({ op: 'idx.remove', userId, member });
    },
    async removeAll(userId) {
      checkString(where, 'userId', userId);
      return call({ op: 'idx.removeAll', userId });
    },
  };

  return {
    name: 'durable-object',
    async get(key) {
      checkString(where, 'key', key);
      return call({ op: 'get', key });
    },
    async set(key, value, ttlMs) {
      checkString(where, 'key', key);
      checkValue(where, value);
      checkTtl(where, ttlMs);
      await call({ op: 'set', key, value, ttlMs });
    },
    async delete(key) {
      checkString(where, 'key', key);
      await call({ op: 'delete', key });
    },
    userIndex,
    async consume(key) {
      checkString(where, 'key', key);
      return call({ op: 'consume', key });
    },
    async compareAndSet(key, expected, value, ttlMs) {
      checkString(where, 'key', key);
      checkExpected(where, expected);
      checkValue(where, value);
      checkTtl(where, ttlMs);
      return call({ op: 'cas', key, expected, value, ttlMs });
    },
  };
}
