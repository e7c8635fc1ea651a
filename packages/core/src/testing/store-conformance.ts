/**
 * The store conformance suite every `SessionStore` in the repo passes (memory,
 * unstorage, Redis, Workers KV and Durable Objects in workerd, Deno KV in Deno),
 * so each store's own test file is three lines, as with unstorage's `testDriver`.
 *
 * Time, honestly. With an injected clock (the default) the factory gets a
 * `ManualClock`, must hand it to the store, and the suite moves it: nothing
 * waits. A real backend's expiry (Redis PX, Deno KV expireIn, Workers KV
 * expirationTtl) cannot be time-travelled, and an `expire(key)` hook would test
 * a fake; so with `realTime: { minTtlMs }` the timed cases write with the
 * shortest TTL the backend honours and really wait just past it (advancing
 * `ctx.clock` by as much too). Untimed cases never wait.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { storeCapabilities, type SessionStore, type StoreCapability } from '../store/types.js';

/** What the suite hands the factory before every test: a fresh clock, which injected-clock stores must use. */
export interface StoreTestContext { readonly clock: ManualClock }

/** Makes the store under test; called before every test. It may return a shared store: keys are unique per test. */
export type StoreFactory = (ctx: StoreTestContext) => SessionStore | Promise<SessionStore>;

/** Options for {@link testStore}. */
export interface StoreConformanceOptions {
  /**
   * The optional capabilities the store claims (default none). Claimed ones are tested; the others must
   * be absent (their cases report as skipped), so a store never silently pretends.
   */
  capabilities?: readonly StoreCapability[];
  /**
   * For stores whose expiry a real backend does. `minTtlMs`: the TTL of timed cases, at least the
   * backend's minimum (Workers KV: 60 000) and large against round-trip jitter (Redis: a few hundred).
   * `slackMs`: how far past a TTL the suite waits before asserting a value gone, for timer and clock
   * imprecision (default 50; under `minTtlMs / 2`); it does not excuse returning values late.
   */
  realTime?: { minTtlMs: number; slackMs?: number };
  /** Runs after every test, e.g. to close a connection. */
  teardown?: (store: SessionStore) => void | Promise<void>;
}

const allCapabilities: readonly StoreCapability[] = ['userIndex', 'consume', 'compareAndSet'];
const concurrentCallers = 50;

/** Values a careless store mangles: JSON that parses to non-strings, unicode, control characters, 3 KiB. */
const awkwardValues: readonly string[] = [
  '{"user":"ada","v":1}', '{}', '[]', '""', 'null', '0', 'false', '  padded  ',
  'naïve café · 日本語 · עברית · 🔐🧁 · e\u0301',
  'quote " apostrophe \' backslash \\ newline \n return \r tab \t nul \u0000 end',
  Array.from({ length: 3 * 1024 }, (_, i) => String.fromCharCode(33 + (i % 90))).join(''),
];

/**
 * Register the conformance suite for one store with vitest.
 *
 * @example
 * testStore('memory', ({ clock }) => new MemoryStore({ clock }), {
 *   capabilities: ['userIndex', 'consume', 'compareAndSet'],
 * });
 * // a real-time backend waits ~300 ms in each timed case
 * testStore('redis', () => new RedisStore({ client }), { capabilities: ['consume'], realTime: { minTtlMs: 300 } });
 */
export function testStore(name: string, factory: StoreFactory, options: StoreConformanceOptions = {}): void {
  const claimed = new Set(options.capabilities ?? []);
  const unknown = [...claimed].filter((c) => !allCapabilities.includes(c));
  if (unknown.length > 0) throw new TypeError(`testStore: unknown capabilities: ${unknown.join(', ')}`);
  const real = options.realTime;
  const slack = real ? (real.slackMs ?? 50) : 0;
  if (real && !(Number.isFinite(real.minTtlMs) && slack >= 0 && slack < real.minTtlMs / 2)) {
    throw new RangeError(`testStore: realTime.minTtlMs must exceed 2 × slackMs, got ${real.minTtlMs} and ${slack}`);
  }
  // A write with TTL `ttl` must survive `before` ms and be gone `ttl + slack` ms after it resolved.
  const ttl = real ? real.minTtlMs : 45_000; // manual: off any sweep interval a store might default to
  const before = real ? Math.floor(ttl / 2) : ttl - 1;
  const rest = ttl - before + slack; // from `before` to just past expiry
  const longTtl = Math.max(10 * ttl, 600_000);
  const timeout = real ? 3 * (ttl + slack) + 15_000 : undefined;
  let clock: ManualClock, store: SessionStore, prefix: string; // set before every test
  const k = (s: string) => `${prefix}${s}`;
  const get = (key: string) => store.get(k(key));
  const set = (key: string, value: string, ttlMs = longTtl) => store.set(k(key), value, ttlMs);
  const elapse = (ms: number) => (clock.advance(ms), real ? new Promise((r) => setTimeout(r, ms)) : undefined);

  describe(`SessionStore conformance: ${name}`, () => {
    beforeEach(async () => {
      clock = new ManualClock();
      store = await factory({ clock });
      prefix = `conformance:${crypto.randomUUID()}:`; // a shared backend needs no flushing
    });
    afterEach(async () => options.teardown?.(store));

    it(`has a name and declares exactly the claimed capabilities [${[...claimed].join(', ')}]`, () => {
      expect(typeof store.name === 'string' && store.name.length > 0).toBe(true);
      expect(storeCapabilities(store)).toEqual(Object.fromEntries(allCapabilities.map((c) => [c, claimed.has(c)])));
    });

    it('get of a missing key resolves null', async () => expect(await get('missing')).toBeNull());

    it('set then get returns the value unchanged (JSON-looking, unicode, control characters, 3 KiB)', async () => {
      for (const [i, v] of awkwardValues.entries()) await set(`v${i}`, v);
      for (const [i, v] of awkwardValues.entries()) expect(await get(`v${i}`)).toBe(v);
    });

    it('set overwrites an existing value', async () => {
      await set('s', 'first');
      await set('s', 'second');
      expect(await get('s')).toBe('second');
    });

    it('delete removes a key, and deleting an absent key resolves', async () => {
      await set('d', 'x');
      await store.delete(k('d'));
      expect(await get('d')).toBeNull();
      await expect(store.delete(k('never-written'))).resolves.toBeUndefined();
    });

    it("keys are independent: no bleed between 'a' and 'ab'", async () => {
      await set('a', 'A');
      await set('ab', 'AB');
      expect([await get('a'), await get('ab')]).toEqual(['A', 'AB']);
      await store.delete(k('a'));
      expect([await get('a'), await get('ab')]).toEqual([null, 'AB']);
    });

    it('a value is present just before its TTL and gone once the TTL has passed', async () => {
      await set('t', 'x', ttl);
      await elapse(before);
      expect(await get('t')).toBe('x');
      await elapse(rest);
      expect(await get('t')).toBeNull();
    }, timeout);

    it('overwriting a key resets its TTL', async () => {
      await set('r', 'first', ttl);
      await elapse(before);
      await set('r', 'second', ttl);
      await elapse(rest); // past the first write's TTL
      expect(await get('r')).toBe('second');
      await elapse(before); // past the second's
      expect(await get('r')).toBeNull();
    }, timeout);

    describe.skipIf(!claimed.has('userIndex'))('userIndex', () => {
      const add = (user: string, member: string, ttlMs = longTtl) => store.userIndex!.add(k(user), member, ttlMs);
      const list = async (user: string) => (await store.userIndex!.list(k(user))).sort();
      const removeAll = async (user: string) => (await store.userIndex!.removeAll(k(user))).sort();
      it('add, list and remove members; re-adding does not duplicate; unknown users list empty', async () => {
        for (const member of ['s1', 's2', 's1']) await add('u', member);
        expect(await list('u')).toEqual(['s1', 's2']);
        await store.userIndex!.remove(k('u'), 's1');
        await store.userIndex!.remove(k('u'), 'absent');
        expect(await list('u')).toEqual(['s2']);
        expect(await list('nobody')).toEqual([]);
      });

      it('list and removeAll leave out members past their own TTL', async () => {
        await add('u', 'old', ttl);
        await elapse(before);
        await add('u', 'new', ttl);
        expect(await list('u')).toEqual(['new', 'old']);
        await elapse(rest);
        expect(await list('u')).toEqual(['new']);
        expect(await removeAll('u')).toEqual(['new']);
      }, timeout);

      it('adding a member again refreshes its TTL', async () => {
        await add('u', 's', ttl);
        await elapse(before);
        await add('u', 's', ttl);
        await elapse(rest);
        expect(await list('u')).toEqual(['s']);
      }, timeout);

      it('removeAll returns the members and empties the index', async () => {
        for (const member of ['s1', 's2']) await add('u', member);
        expect(await removeAll('u')).toEqual(['s1', 's2']);
        expect([await list('u'), await removeAll('u')]).toEqual([[], []]);
      });

      it("users are independent: no bleed between 'u' and 'u1'", async () => {
        await add('u', 'mine');
        await add('u1', 'theirs');
        expect(await removeAll('u')).toEqual(['mine']);
        expect(await list('u1')).toEqual(['theirs']);
      });
    });

    describe.skipIf(!claimed.has('consume'))('consume', () => {
      const consume = (key: string) => store.consume!(k(key));
      it('returns the value once and deletes it; a missing key gives null', async () => {
        await set('c', 'token');
        expect([await consume('c'), await consume('c'), await get('c')]).toEqual(['token', null, null]);
        expect(await consume('never-written')).toBeNull();
      });

      it('of an expired key resolves null', async () => {
        await set('c', 'token', ttl);
        await elapse(ttl + slack);
        expect(await consume('c')).toBeNull();
      }, timeout);

      it(`gives the value to exactly one of ${concurrentCallers} concurrent callers`, async () => {
        await set('c', 'token');
        const results = await Promise.all(Array.from({ length: concurrentCallers }, () => consume('c')));
        expect(results.filter((r) => r !== null)).toEqual(['token']);
        expect(await get('c')).toBeNull();
      });
    });

    describe.skipIf(!claimed.has('compareAndSet'))('compareAndSet', () => {
      const cas = (key: string, expected: string | null, value: string, ttlMs = longTtl) =>
        store.compareAndSet!(k(key), expected, value, ttlMs);
      it('writes when the current value equals expected', async () => {
        await set('x', 'v1');
        expect(await cas('x', 'v1', 'v2')).toBe(true);
        expect(await get('x')).toBe('v2');
      });

      it('refuses when the current value differs, or is absent but a value was expected', async () => {
        await set('x', 'v1');
        expect(await cas('x', 'stale', 'v2')).toBe(false);
        expect(await cas('absent', 'v1', 'v2')).toBe(false);
        expect([await get('x'), await get('absent')]).toEqual(['v1', null]);
      });

      it('with expected null, creates only if absent', async () => {
        expect(await cas('n', null, 'first')).toBe(true);
        expect(await cas('n', null, 'second')).toBe(false);
        expect(await get('n')).toBe('first');
      });

      it(`lets exactly one of ${concurrentCallers} concurrent writers from the same expected value win`, async () => {
        await set('x', 'v0');
        const wins = await Promise.all(Array.from({ length: concurrentCallers }, (_, i) => cas('x', 'v0', `w${i}`)));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await get('x')).toBe(`w${wins.indexOf(true)}`);
      });

      it('values it writes expire, after which the key counts as absent', async () => {
        expect(await cas('e', null, 'v1', ttl)).toBe(true);
        await elapse(before);
        expect(await get('e')).toBe('v1');
        await elapse(rest);
        expect(await get('e')).toBeNull();
        expect(await cas('e', null, 'v2', ttl)).toBe(true);
      }, timeout);
    });
  });
}
