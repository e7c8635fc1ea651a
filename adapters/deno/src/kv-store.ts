/**
 * A `SessionStore` over Deno KV, with every optional capability. `expireIn` is
 * only a hint in Deno, so each value is core's `{ v, e }` envelope, judged on
 * the store's clock; `consume` and `compareAndSet` are atomic commits checked
 * by versionstamp and retried, so one of two isolates wins (docs/stores.md).
 */

import {
  checkExpected,
  checkString,
  checkTtl,
  checkValue,
  envelope,
  openEnvelope,
  systemClock,
  type Clock,
  type Envelope,
  type SessionStore,
  type UserIndex,
} from '@latchkey/core/store';
import type { DenoKvEntryMaybe, DenoKvKey, DenoKvLike } from './kv-types.js';

/** Options for {@link denoKvStore}. */
export interface DenoKvStoreOptions {
  /** First key part of everything the store writes (default `'latchkey'`), to share a database. */
  prefix?: string;
  /** The clock value deadlines are judged on (default the system clock). Tests inject a `ManualClock`. */
  clock?: Clock;
}

/** Commits retried before giving up when other writers keep winning the race for one key. */
const maxAttempts = 64;
const STORE = 'denoKvStore';

/**
 * A session store on Deno KV: TTL, per-user index, consume-once and
 * compare-and-set, the last two through versionstamp-checked atomic commits.
 *
 * @example
 * const kv = await Deno.openKv();
 * const latchkey = createLatchkey({ policy: presets.productivity, store: denoKvStore(kv) });
 */
export function denoKvStore(
  kv: DenoKvLike,
  options: DenoKvStoreOptions = {},
): SessionStore & { userIndex: UserIndex } {
  const prefix = options.prefix ?? 'latchkey';
  checkString(STORE, 'prefix', prefix);
  const clock = options.clock ?? systemClock;
  const dataKey = (key: string): DenoKvKey => [prefix, 'k', key];
  const indexKey = (userId: string, member: string): DenoKvKey => [prefix, 'idx', userId, member];

  /** The live value of an entry, or null when absent or past its own deadline; a foreign value is a StoreError. */
  const live = (entry: DenoKvEntryMaybe<unknown>): string | null =>
    openEnvelope(entry.value, clock.now(), STORE);

  const write = (ttlMs: number, value: string): [Envelope, { expireIn: number }] => [
    envelope(value, clock.now() + ttlMs),
    { expireIn: Math.ceil(ttlMs) },
  ];

  /** Read, decide, commit with a versionstamp check; re-read whenever another writer got in first. */
  async function atomically<T>(
    key: DenoKvKey,
    step: (entry: DenoKvEntryMaybe<unknown>) => {
      result: T;
      commit?: () => Promise<{ ok: boolean }>;
    },
  ): Promise<T> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const entry = await kv.get(key);
      const { result, commit } = step(entry);
      if (!commit || (await commit()).ok) return result;
    }
    throw new Error(`denoKvStore: gave up after ${maxAttempts} conflicting commits on one key`);
  }

  const userIndex: UserIndex = {
    async add(userId, member, ttlMs) {
      checkString(STORE, 'userId', userId);
      checkString(STORE, 'member', member);
      checkTtl(STORE, ttlMs);
      const [value, opts] = write(ttlMs, '');
      await kv.set(indexKey(userId, member), value, opts);
    },
    async list(userId) {
      checkString(STORE, 'userId', userId);
      const members: string[] = [];
      for await (const entry of kv.list({ prefix: [prefix, 'idx', userId] })) {
        if (live(entry) !== null) members.push(String(entry.key[3]));
      }
      return members;
    },
    async remove(userId, member) {
      checkString(STORE, 'userId', userId);
      checkString(STORE, 'member', member);
      await kv.delete(indexKey(userId, member));
    },
    async removeAll(userId) {
      checkString(STORE, 'userId', userId);
      const members: string[] = [];
      for await (const entry of kv.list({ prefix: [prefix, 'idx', userId] })) {
        if (live(entry) !== null) members.push(String(entry.key[3]));
        await kv.delete(entry.key);
      }
      return members;
    },
  };

  return {
    name: 'deno-kv',
    async get(key) {
      checkString(STORE, 'key', key);
      return live(await kv.get(dataKey(key)));
    },
    async set(key, value, ttlMs) {
      checkString(STORE, 'key', key);
      checkValue(STORE, value);
      checkTtl(STORE, ttlMs);
      const [stored, opts] = write(ttlMs, value);
      await kv.set(dataKey(key), stored, opts);
    },
    async delete(key) {
      checkString(STORE, 'key', key);
      await kv.delete(dataKey(key));
    },
    userIndex,
    async consume(key) {
      checkString(STORE, 'key', key);
      const k = dataKey(key);
      return atomically(k, (entry) => {
        if (entry.versionstamp === null) return { result: null };
        const value = live(entry);
        const commit = () =>
          kv.atomic().check({ key: k, versionstamp: entry.versionstamp }).delete(k).commit();
        return { result: value, commit };
      });
    },
    async compareAndSet(key, expected, value, ttlMs) {
      checkString(STORE, 'key', key);
      checkExpected(STORE, expected);
      checkValue(STORE, value);
      checkTtl(STORE, ttlMs);
      const k = dataKey(key);
      return atomically(k, (entry) => {
        if (live(entry) !== expected) return { result: false };
        const [stored, opts] = write(ttlMs, value);
        const commit = () =>
          kv
            .atomic()
            .check({ key: k, versionstamp: entry.versionstamp })
            .set(k, stored, opts)
            .commit();
        return { result: true, commit };
      });
    },
  };
}
