/**
 * The store conformance cases, free of any test framework, and a small runner:
 * vitest registers them through `testStore`; Deno and workerd run them with
 * `runStoreCases`. One suite, the runtime as a parameter.
 */

import { ManualClock } from '../clock.js';
import { storeCapabilities, type SessionStore, type StoreCapability } from '../store/types.js';
import { assertEqual, assertTrue } from './assert.js';

/** What the suite hands the factory before every case: a fresh clock, which injected-clock stores must use. */
export interface StoreTestContext {
  readonly clock: ManualClock;
}

/** Makes the store under test; called before every case. It may return a shared store: keys are unique per case. */
export type StoreFactory = (ctx: StoreTestContext) => SessionStore | Promise<SessionStore>;

/** Options shared by `testStore` and {@link runStoreCases}. */
export interface StoreConformanceOptions {
  /**
   * The optional capabilities the store claims (default none). Claimed ones are tested; the others must
   * be absent (no cases run for them), so a store never silently pretends.
   */
  capabilities?: readonly StoreCapability[];
  /**
   * For stores whose expiry a real backend does. `minTtlMs`: the TTL of timed cases, at least the
   * backend's minimum (Workers KV: 60 000) and large against round-trip jitter (Redis: a few hundred).
   * `slackMs`: how far past a TTL the suite waits before asserting a value gone, for timer and clock
   * imprecision (default 50; under `minTtlMs / 2`); it does not excuse returning values late.
   */
  realTime?: { minTtlMs: number; slackMs?: number };
  /** Runs after every case, e.g. to close a connection. */
  teardown?: (store: SessionStore) => void | Promise<void>;
}

/** Everything a case needs besides the store: its clock, its key namespace and the suite's timings. */
export interface StoreCaseContext {
  readonly clock: ManualClock;
  /** The capabilities the store claims. */
  readonly claimed: ReadonlySet<StoreCapability>;
  /** A key unique to this case (a shared backend needs no flushing). */
  key(name: string): string;
  /** TTL of timed writes; a write must survive `before` ms and be gone `rest` ms later. */
  readonly ttl: number;
  readonly before: number;
  readonly rest: number;
  readonly slack: number;
  /** A TTL no case outlives. */
  readonly longTtl: number;
  /** Move the clock on by `ms` (and, for real-time backends, really wait as long). */
  elapse(ms: number): Promise<void>;
}

/** One conformance case. `capability` cases run only for stores claiming it; `timed` cases move time. */
export interface StoreCase {
  readonly name: string;
  readonly capability?: StoreCapability;
  readonly timed?: boolean;
  run(store: SessionStore, ctx: StoreCaseContext): Promise<void>;
}

/** The outcome of one case, as runtimes report it. */
export interface StoreCaseResult {
  name: string;
  passed: boolean;
  error?: string;
}

export const allCapabilities: readonly StoreCapability[] = [
  'userIndex',
  'consume',
  'compareAndSet',
];
const concurrentCallers = 50;

/** Values a careless store mangles: JSON that parses to non-strings, unicode, control characters, 3 KiB. */
const awkwardValues: readonly string[] = [
  '{"user":"ada","v":1}',
  '{}',
  '[]',
  '""',
  'null',
  '0',
  'false',
  '  padded  ',
  'naïve café · 日本語 · עברית · 🔐🧁 · e\u0301',
  'quote " apostrophe \' backslash \\ newline \n return \r tab \t nul \u0000 end',
  Array.from({ length: 3 * 1024 }, (_, i) => String.fromCharCode(33 + (i % 90))).join(''),
];

const sorted = (xs: string[]) => [...xs].sort();

const base: StoreCase[] = [
  {
    name: 'has a name and declares exactly the claimed capabilities',
    async run(store, { claimed }) {
      assertTrue(
        typeof store.name === 'string' && store.name.length > 0,
        'store.name is a non-empty string',
      );
      assertEqual(
        storeCapabilities(store),
        Object.fromEntries(allCapabilities.map((c) => [c, claimed.has(c)])),
        'capabilities',
      );
    },
  },
  {
    name: 'get of a missing key resolves null',
    async run(store, { key }) {
      assertEqual(await store.get(key('missing')), null);
    },
  },
  {
    name: 'set then get returns the value unchanged (JSON-looking, unicode, control characters, 3 KiB)',
    async run(store, { key, longTtl }) {
      for (const [i, v] of awkwardValues.entries()) await store.set(key(`v${i}`), v, longTtl);
      for (const [i, v] of awkwardValues.entries())
        assertEqual(await store.get(key(`v${i}`)), v, `value ${i}`);
    },
  },
  {
    name: 'set overwrites an existing value',
    async run(store, { key, longTtl }) {
      await store.set(key('s'), 'first', longTtl);
      await store.set(key('s'), 'second', longTtl);
      assertEqual(await store.get(key('s')), 'second');
    },
  },
  {
    name: 'delete removes a key, and deleting an absent key resolves',
    async run(store, { key, longTtl }) {
      await store.set(key('d'), 'x', longTtl);
      await store.delete(key('d'));
      assertEqual(await store.get(key('d')), null, 'after delete');
      assertEqual(await store.delete(key('never-written')), undefined, 'delete of an absent key');
    },
  },
  {
    name: "keys are independent: no bleed between 'a' and 'ab'",
    async run(store, { key, longTtl }) {
      await store.set(key('a'), 'A', longTtl);
      await store.set(key('ab'), 'AB', longTtl);
      assertEqual([await store.get(key('a')), await store.get(key('ab'))], ['A', 'AB']);
      await store.delete(key('a'));
      assertEqual(
        [await store.get(key('a')), await store.get(key('ab'))],
        [null, 'AB'],
        'after deleting a',
      );
    },
  },
  {
    name: 'a value is present just before its TTL and gone once the TTL has passed',
    timed: true,
    async run(store, { key, ttl, before, rest, elapse }) {
      await store.set(key('t'), 'x', ttl);
      await elapse(before);
      assertEqual(await store.get(key('t')), 'x', 'just before the TTL');
      await elapse(rest);
      assertEqual(await store.get(key('t')), null, 'past the TTL');
    },
  },
  {
    name: 'overwriting a key resets its TTL',
    timed: true,
    async run(store, { key, ttl, before, rest, elapse }) {
      await store.set(key('r'), 'first', ttl);
      await elapse(before);
      await store.set(key('r'), 'second', ttl);
      await elapse(rest); // past the first write's TTL
      assertEqual(await store.get(key('r')), 'second', "past the first write's TTL");
      await elapse(before); // past the second's
      assertEqual(await store.get(key('r')), null, "past the second write's TTL");
    },
  },
];

const userIndex: StoreCase[] = [
  {
    name: 'add, list and remove members; re-adding does not duplicate; unknown users list empty',
    async run(store, { key, longTtl }) {
      const idx = store.userIndex!;
      for (const member of ['s1', 's2', 's1']) await idx.add(key('u'), member, longTtl);
      assertEqual(sorted(await idx.list(key('u'))), ['s1', 's2'], 'after adds');
      await idx.remove(key('u'), 's1');
      await idx.remove(key('u'), 'absent');
      assertEqual(sorted(await idx.list(key('u'))), ['s2'], 'after removes');
      assertEqual(await idx.list(key('nobody')), [], 'unknown user');
    },
  },
  {
    name: 'list and removeAll leave out members past their own TTL',
    timed: true,
    async run(store, { key, ttl, before, rest, elapse }) {
      const idx = store.userIndex!;
      await idx.add(key('u'), 'old', ttl);
      await elapse(before);
      await idx.add(key('u'), 'new', ttl);
      assertEqual(sorted(await idx.list(key('u'))), ['new', 'old'], 'both live');
      await elapse(rest);
      assertEqual(sorted(await idx.list(key('u'))), ['new'], "past old's TTL");
      assertEqual(sorted(await idx.removeAll(key('u'))), ['new'], 'removeAll');
    },
  },
  {
    name: 'adding a member again refreshes its TTL',
    timed: true,
    async run(store, { key, ttl, before, rest, elapse }) {
      const idx = store.userIndex!;
      await idx.add(key('u'), 's', ttl);
      await elapse(before);
      await idx.add(key('u'), 's', ttl);
      await elapse(rest);
      assertEqual(await idx.list(key('u')), ['s']);
    },
  },
  {
    name: 'removeAll returns the members and empties the index',
    async run(store, { key, longTtl }) {
      const idx = store.userIndex!;
      for (const member of ['s1', 's2']) await idx.add(key('u'), member, longTtl);
      assertEqual(sorted(await idx.removeAll(key('u'))), ['s1', 's2'], 'first removeAll');
      assertEqual(
        [await idx.list(key('u')), await idx.removeAll(key('u'))],
        [[], []],
        'afterwards',
      );
    },
  },
  {
    name: "users are independent: no bleed between 'u' and 'u1'",
    async run(store, { key, longTtl }) {
      const idx = store.userIndex!;
      await idx.add(key('u'), 'mine', longTtl);
      await idx.add(key('u1'), 'theirs', longTtl);
      assertEqual(await idx.removeAll(key('u')), ['mine'], "removeAll('u')");
      assertEqual(await idx.list(key('u1')), ['theirs'], "list('u1')");
    },
  },
];

const consume: StoreCase[] = [
  {
    name: 'returns the value once and deletes it; a missing key gives null',
    async run(store, { key, longTtl }) {
      await store.set(key('c'), 'token', longTtl);
      assertEqual(
        [await store.consume!(key('c')), await store.consume!(key('c')), await store.get(key('c'))],
        ['token', null, null],
      );
      assertEqual(await store.consume!(key('never-written')), null, 'consume of a missing key');
    },
  },
  {
    name: 'of an expired key resolves null',
    timed: true,
    async run(store, { key, ttl, slack, elapse }) {
      await store.set(key('c'), 'token', ttl);
      await elapse(ttl + slack);
      assertEqual(await store.consume!(key('c')), null);
    },
  },
  {
    name: `gives the value to exactly one of ${concurrentCallers} concurrent callers`,
    async run(store, { key, longTtl }) {
      await store.set(key('c'), 'token', longTtl);
      const results = await Promise.all(
        Array.from({ length: concurrentCallers }, () => store.consume!(key('c'))),
      );
      assertEqual(
        results.filter((r) => r !== null),
        ['token'],
        'non-null results',
      );
      assertEqual(await store.get(key('c')), null, 'afterwards');
    },
  },
];

const compareAndSet: StoreCase[] = [
  {
    name: 'writes when the current value equals expected',
    async run(store, { key, longTtl }) {
      await store.set(key('x'), 'v1', longTtl);
      assertEqual(
        await store.compareAndSet!(key('x'), 'v1', 'v2', longTtl),
        true,
        'compareAndSet result',
      );
      assertEqual(await store.get(key('x')), 'v2', 'afterwards');
    },
  },
  {
    name: 'refuses when the current value differs, or is absent but a value was expected',
    async run(store, { key, longTtl }) {
      await store.set(key('x'), 'v1', longTtl);
      assertEqual(await store.compareAndSet!(key('x'), 'stale', 'v2', longTtl), false, 'differs');
      assertEqual(await store.compareAndSet!(key('absent'), 'v1', 'v2', longTtl), false, 'absent');
      assertEqual(
        [await store.get(key('x')), await store.get(key('absent'))],
        ['v1', null],
        'afterwards',
      );
    },
  },
  {
    name: 'with expected null, creates only if absent',
    async run(store, { key, longTtl }) {
      assertEqual(await store.compareAndSet!(key('n'), null, 'first', longTtl), true, 'first');
      assertEqual(await store.compareAndSet!(key('n'), null, 'second', longTtl), false, 'second');
      assertEqual(await store.get(key('n')), 'first', 'afterwards');
    },
  },
  {
    name: `lets exactly one of ${concurrentCallers} concurrent writers from the same expected value win`,
    async run(store, { key, longTtl }) {
      await store.set(key('x'), 'v0', longTtl);
      const wins = await Promise.all(
        Array.from({ length: concurrentCallers }, (_, i) =>
          store.compareAndSet!(key('x'), 'v0', `w${i}`, longTtl),
        ),
      );
      assertEqual(wins.filter(Boolean).length, 1, 'number of winners');
      assertEqual(await store.get(key('x')), `w${wins.indexOf(true)}`, "the winner's value");
    },
  },
  {
    name: 'values it writes expire, after which the key counts as absent',
    timed: true,
    async run(store, { key, ttl, before, rest, elapse }) {
      assertEqual(await store.compareAndSet!(key('e'), null, 'v1', ttl), true, 'create');
      await elapse(before);
      assertEqual(await store.get(key('e')), 'v1', 'just before the TTL');
      await elapse(rest);
      assertEqual(await store.get(key('e')), null, 'past the TTL');
      assertEqual(
        await store.compareAndSet!(key('e'), null, 'v2', ttl),
        true,
        'create again once expired',
      );
    },
  },
];

/** Every conformance case; those with a `capability` apply only to stores that claim it. */
export const storeCases: readonly StoreCase[] = [
  ...base,
  ...userIndex.map((c) => ({ ...c, capability: 'userIndex' as const })),
  ...consume.map((c) => ({ ...c, capability: 'consume' as const })),
  ...compareAndSet.map((c) => ({ ...c, capability: 'compareAndSet' as const })),
];

/**
 * A case's name as runtimes report it: `consume › returns the value once …`.
 *
 * @example
 * // The names runStoreCases reports, checked case by case in vitest:
 * const results = await runStoreCases(({ clock }) => new MemoryStore({ clock }));
 * for (const c of storeCases.filter((x) => !x.capability))
 *   it(storeCaseName(c), () => expect(results.find((r) => r.name === storeCaseName(c))?.passed).toBe(true));
 */
export const storeCaseName = (c: StoreCase): string =>
  c.capability ? `${c.capability} › ${c.name}` : c.name;

/** The timings and claimed capabilities an options object means; validates it. */
export interface StorePlan {
  readonly claimed: ReadonlySet<StoreCapability>;
  readonly ttl: number;
  readonly before: number;
  readonly rest: number;
  readonly slack: number;
  readonly longTtl: number;
  /** Per-case timeout for timed cases with a real-time backend. */
  readonly timeout: number | undefined;
  readonly realTime: boolean;
}

/**
 * Check options and work out the suite's timings. Throws TypeError/RangeError on bad options.
 *
 * @example
 * const plan = planStoreCases({ capabilities: ['consume'], realTime: { minTtlMs: 220, slackMs: 10 } });
 * plan.ttl; // 220: timed cases write with this TTL and wait for it
 */
export function planStoreCases(options: StoreConformanceOptions = {}): StorePlan {
  const claimed = new Set(options.capabilities ?? []);
  const unknown = [...claimed].filter((c) => !allCapabilities.includes(c));
  if (unknown.length > 0)
    throw new TypeError(`testStore: unknown capabilities: ${unknown.join(', ')}`);
  const real = options.realTime;
  const slack = real ? (real.slackMs ?? 50) : 0;
  if (real && !(Number.isFinite(real.minTtlMs) && slack >= 0 && slack < real.minTtlMs / 2)) {
    throw new RangeError(
      `testStore: realTime.minTtlMs must exceed 2 × slackMs, got ${real.minTtlMs} and ${slack}`,
    );
  }
  // A write with TTL `ttl` must survive `before` ms and be gone `ttl + slack` ms after it resolved.
  const ttl = real ? real.minTtlMs : 45_000; // manual: off any sweep interval a store might default to
  const before = real ? Math.floor(ttl / 2) : ttl - 1;
  return {
    claimed,
    ttl,
    before,
    rest: ttl - before + slack, // from `before` to just past expiry
    slack,
    longTtl: Math.max(10 * ttl, 600_000),
    timeout: real ? 3 * (ttl + slack) + 15_000 : undefined,
    realTime: real !== undefined,
  };
}

/**
 * The context for one case: a fresh clock and a fresh key namespace.
 *
 * @example
 * const plan = planStoreCases({ capabilities: ['consume'] });
 * for (const c of storeCases.filter((x) => !x.capability || plan.claimed.has(x.capability))) {
 *   const ctx = storeCaseContext(plan);
 *   await c.run(new MemoryStore({ clock: ctx.clock }), ctx);
 * }
 */
export function storeCaseContext(
  plan: StorePlan,
  clock: ManualClock = new ManualClock(),
): StoreCaseContext {
  const prefix = `conformance:${crypto.randomUUID()}:`;
  return {
    clock,
    claimed: plan.claimed,
    key: (s) => `${prefix}${s}`,
    ttl: plan.ttl,
    before: plan.before,
    rest: plan.rest,
    slack: plan.slack,
    longTtl: plan.longTtl,
    elapse: async (ms) => {
      clock.advance(ms);
      if (plan.realTime) await new Promise((r) => setTimeout(r, ms));
    },
  };
}

/**
 * Run every case that applies to the store (one after another) and report each outcome; never throws
 * for a failing case. For runtimes without vitest (Deno, workerd).
 *
 * @example
 * const results = await runStoreCases(({ clock }) => denoKvStore(kv, { clock }), { capabilities: ['consume'] });
 * console.log(JSON.stringify(results));
 */
export async function runStoreCases(
  factory: StoreFactory,
  options: StoreConformanceOptions = {},
): Promise<StoreCaseResult[]> {
  const plan = planStoreCases(options);
  const results: StoreCaseResult[] = [];
  for (const c of storeCases) {
    if (c.capability && !plan.claimed.has(c.capability)) continue;
    const ctx = storeCaseContext(plan);
    let store: SessionStore | undefined;
    try {
      store = await factory({ clock: ctx.clock });
      await c.run(store, ctx);
      results.push({ name: storeCaseName(c), passed: true });
    } catch (error) {
      results.push({
        name: storeCaseName(c),
        passed: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    } finally {
      if (store) await options.teardown?.(store);
    }
  }
  return results;
}
