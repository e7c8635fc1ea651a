/**
 * `LatchkeySessionsDO`: a Durable Object holding sessions in its transactional
 * storage, and `durableObjectStore`, the `SessionStore` that talks to it.
 *
 * Why a Durable Object: one instance, in one place, handles every request for
 * its name one event at a time, and its input gates deliver no other request
 * while a storage operation is in flight. So read-then-write sequences
 * (consume, compare-and-set) are atomic, and a revocation is seen by the very
 * next request from anywhere: the strong consistency Workers KV lacks.
 *
 * Protocol: the client POSTs one JSON operation to the stub's `fetch` (plain
 * fetch rather than RPC, so the class needs no `cloudflare:workers` import and
 * works on any compatibility date). Every operation carries the client's
 * `now`, so deadlines are judged on the caller's (injectable) clock.
 *
 * Expiry: values carry their deadline and are ignored and deleted once past it
 * (lazily, on access); an alarm sweeps what is never read again.
 */

import { systemClock, type UserIndex } from '@latchkey/core/store';
import type { Clock, SessionStore } from '@latchkey/core';
import type { DurableObjectNamespaceLike, DurableObjectStateLike } from './bindings.js';
import { checkString, checkTtl, checkValue } from '@latchkey/core/store';

type Op =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: string; ttlMs: number }
  | { op: 'delete'; key: string }
  | { op: 'consume'; key: string }
  | { op: 'cas'; key: string; expected: string | null; value: string; ttlMs: number }
  | { op: 'idx.add'; userId: string; member: string; ttlMs: number }
  | { op: 'idx.list'; userId: string }
  | { op: 'idx.remove'; userId: string; member: string }
  | { op: 'idx.removeAll'; userId: string }
  | { op: 'sweep' }
  | { op: 'size' };

interface Stored {
  v: string;
  e: number;
}

const operations = new Set<string>([
  'get',
  'set',
  'delete',
  'consume',
  'cas',
  'idx.add',
  'idx.list',
  'idx.remove',
  'idx.removeAll',
  'sweep',
  'size',
]);

/** How often the alarm sweeps expired entries that are never read again, by default. */
const defaultSweepIntervalMs = 60 * 60 * 1000;

const dataKey = (key: string) => `k:${key}`;
// The user id's length first, so user 'u' never lists user 'u1:x''s members.
const indexPrefix = (userId: string) => `i:${userId.length}:${userId}:`;

/**
 * The Durable Object class. Export it from your Worker and bind it:
 *
 * @example
 * // worker.ts
 * export { LatchkeySessionsDO } from '@latchkey/workers';
 * // wrangler.toml
 * // [[durable_objects.bindings]]
 * // name = "SESSIONS" ; class_name = "LatchkeySessionsDO"
 * // [[migrations]]
 * // tag = "v1" ; new_sqlite_classes = ["LatchkeySessionsDO"]
 */
export class LatchkeySessionsDO {
  readonly #storage: DurableObjectStateLike['storage'];
  readonly #sweepIntervalMs: number;

  constructor(
    state: DurableObjectStateLike,
    env?: { LATCHKEY_SWEEP_INTERVAL_MS?: string | number },
  ) {
    this.#storage = state.storage;
    const interval = Number(env?.LATCHKEY_SWEEP_INTERVAL_MS ?? defaultSweepIntervalMs);
    this.#sweepIntervalMs =
      Number.isFinite(interval) && interval > 0 ? interval : defaultSweepIntervalMs;
  }

  async fetch(request: Request): Promise<Response> {
    let body: Op & { now?: unknown };
    try {
      body = (await request.json()) as Op & { now?: unknown };
    } catch {
      return Response.json({ error: 'malformed operation' }, { status: 400 });
    }
    const now = body.now;
    if (typeof now !== 'number' || !Number.isFinite(now))
      return Response.json({ error: 'now must be a finite number' }, { status: 400 });
    if (!operations.has(body.op))
      return Response.json(
        { error: `unknown operation ${JSON.stringify(body.op)}` },
        { status: 400 },
      );
    try {
      return Response.json({ result: await this.#apply(body, now) });
    } catch (error) {
      return Response.json(
        { error: error instanceof Error ? error.message : String(error) },
        { status: 500 },
      );
    }
  }

  /** The sweep alarm: delete what has expired by the wall clock, then come back while anything is left. */
  async alarm(): Promise<void> {
    const left = await this.#sweep(Date.now());
    if (left > 0) await this.#storage.setAlarm(Date.now() + this.#sweepIntervalMs);
  }

  async #apply(op: Op, now: number): Promise<unknown> {
    const s = this.#storage;
    const live = (x: Stored | undefined) => (x !== undefined && now < x.e ? x.v : null);
    const read = async (key: string) => {
      const x = await s.get<Stored>(key);
      if (x !== undefined && !(now < x.e)) await s.delete(key); // lazy expiry
      return live(x);
    };
    const write = async (key: string, value: string, ttlMs: number) => {
      await s.put<Stored>(key, { v: value, e: now + ttlMs });
      if ((await s.getAlarm()) === null) await s.setAlarm(Date.now() + this.#sweepIntervalMs);
    };
    const members = async (userId: string) => {
      const prefix = indexPrefix(userId);
      const entries = await s.list<Stored>({ prefix });
      return {
        prefix,
        keys: [...entries.keys()],
        live: [...entries].filter(([, x]) => live(x) !== null).map(([k]) => k.slice(prefix.length)),
      };
    };
    switch (op.op) {
      case 'get':
        return read(dataKey(op.key));
      case 'set':
        return write(dataKey(op.key), op.value, op.ttlMs);
      case 'delete':
        await s.delete(dataKey(op.key));
        return null;
      case 'consume': {
        const value = await read(dataKey(op.key));
        if (value !== null) await s.delete(dataKey(op.key));
        return value;
      }
      case 'cas': {
        if ((await read(dataKey(op.key))) !== op.expected) return false;
        await write(dataKey(op.key), op.value, op.ttlMs);
        return true;
      }
      case 'idx.add':
        return write(indexPrefix(op.userId) + op.member, '', op.ttlMs);
      case 'idx.list':
        return (await members(op.userId)).live;
      case 'idx.remove':
        await s.delete(indexPrefix(op.userId) + op.member);
        return null;
      case 'idx.removeAll': {
        const m = await members(op.userId);
        if (m.keys.length > 0) await s.delete(m.keys);
        return m.live;
      }
      case 'sweep':
        return this.#sweep(now);
      case 'size':
        return (await s.list()).size;
      default:
        throw new Error(`unknown operation ${JSON.stringify((op as { op?: unknown }).op)}`);
    }
  }

  /** Delete every entry past its deadline at `now`; resolves how many entries are left. */
  async #sweep(now: number): Promise<number> {
    const all = await this.#storage.list<Stored>();
    const dead = [...all].filter(([, x]) => !(now < x.e)).map(([k]) => k);
    for (let i = 0; i < dead.length; i += 128) await this.#storage.delete(dead.slice(i, i + 128)); // 128 keys per call at most
    return all.size - dead.length;
  }
}

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

  async function call<T>(op: Op): Promise<T> {
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
      if (expected !== null && typeof expected !== 'string') {
        throw new TypeError(`${where}: expected must be a string or null, got ${typeof expected}`);
      }
      checkValue(where, value);
      checkTtl(where, ttlMs);
      return call({ op: 'cas', key, expected, value, ttlMs });
    },
  };
}
