/**
 * `LatchkeySessionsDO`: the Durable Object that holds sessions in its
 * transactional storage and answers `durableObjectStore`'s operations, one
 * JSON operation per fetch, each judged on the caller's `now`. Values are
 * core's `{ v, e }` envelopes, dropped when read past their deadline; an
 * alarm sweeps what is never read again (docs/stores.md).
 */

import { envelope, openEnvelope, parseEnvelope } from '@latchkey/core/store';
import type { DurableObjectStateLike } from './bindings.js';

/** @internal One operation of the protocol between `durableObjectStore` and the object. */
export type SessionsOp =
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

const where = 'LatchkeySessionsDO';

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

  /**
   * Answer one operation of `durableObjectStore`: a POSTed JSON body `{ op, …, now }`
   * judged on the caller's `now`; `{ result }` on success, `{ error }` with 400 or 500 otherwise.
   * Apps call it through `durableObjectStore`, not directly.
   *
   * @example
   * const stub = env.SESSIONS.get(env.SESSIONS.idFromName('latchkey'));
   * const response = await stub.fetch('https://latchkey-sessions.internal/', {
   *   method: 'POST',
   *   body: JSON.stringify({ op: 'get', key: 'sess:abc', now: Date.now() }),
   * });
   * const { result } = await response.json(); // the stored string, or null
   */
  async fetch(request: Request): Promise<Response> {
    let body: SessionsOp & { now?: unknown };
    try {
      body = (await request.json()) as SessionsOp & { now?: unknown };
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

  /**
   * The sweep alarm: delete what has expired by the wall clock, then come back while anything is left.
   * The Workers runtime calls it; the interval is `LATCHKEY_SWEEP_INTERVAL_MS` (default one hour).
   *
   * @example
   * // The runtime builds the object with the Worker's env (wrangler.toml [vars]):
   * const object = new LatchkeySessionsDO(state, { LATCHKEY_SWEEP_INTERVAL_MS: '600000' });
   * await object.alarm(); // drops what has expired; re-arms in 10 minutes while entries remain
   */
  async alarm(): Promise<void> {
    const left = await this.#sweep(Date.now());
    if (left > 0) await this.#storage.setAlarm(Date.now() + this.#sweepIntervalMs);
  }

  async #apply(op: SessionsOp, now: number): Promise<unknown> {
    const s = this.#storage;
    const live = (x: unknown) => openEnvelope(x, now, where);
    const read = async (key: string) => {
      const x = await s.get(key);
      const value = live(x);
      if (x !== undefined && value === null) await s.delete(key); // lazy expiry
      return value;
    };
    const write = async (key: string, value: string, ttlMs: number) => {
      await s.put(key, envelope(value, now + ttlMs));
      if ((await s.getAlarm()) === null) await s.setAlarm(Date.now() + this.#sweepIntervalMs);
    };
    const members = async (userId: string) => {
      const prefix = indexPrefix(userId);
      const entries = await s.list({ prefix });
      return {
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

  /** Delete every entry past its deadline at `now`, and any that is not an envelope; resolves how many are left. */
  async #sweep(now: number): Promise<number> {
    const all = await this.#storage.list();
    const dead = [...all]
      .filter(([, x]) => !((parseEnvelope(x)?.e ?? -Infinity) > now))
      .map(([k]) => k);
    for (let i = 0; i < dead.length; i += 128) await this.#storage.delete(dead.slice(i, i + 128)); // 128 keys per call at most
    return all.size - dead.length;
  }
}
