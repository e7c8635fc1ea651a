/**
 * `testStore`: the store conformance suite registered with vitest. Every
 * `SessionStore` in the repo passes it, so each store's own test file is three
 * lines, as with unstorage's `testDriver`.
 */

import { afterEach, beforeEach, describe, it } from 'vitest';
import type { SessionStore, StoreCapability } from '../store/types.js';
import {
  planStoreCases,
  storeCaseContext,
  storeCases,
  type StoreCaseContext,
  type StoreConformanceOptions,
  type StoreFactory,
} from './store-cases.js';

export type { StoreConformanceOptions, StoreFactory, StoreTestContext } from './store-cases.js';

/**
 * Register the conformance suite for one store with vitest.
 *
 * @example
 * testStore('memory', ({ clock }) => new MemoryStore({ clock }), {
 *   capabilities: ['userIndex', 'consume', 'compareAndSet'],
 * });
 * // a real-time backend waits ~300 ms in each timed case
 * testStore('redis', () => redisStore(client), { capabilities: ['userIndex', 'consume', 'compareAndSet'], realTime: { minTtlMs: 220, slackMs: 10 } });
 */
export function testStore(
  name: string,
  factory: StoreFactory,
  options: StoreConformanceOptions = {},
): void {
  const plan = planStoreCases(options);
  let ctx: StoreCaseContext, store: SessionStore; // set before every test

  const register = (capability: StoreCapability | undefined) => {
    for (const c of storeCases.filter((x) => x.capability === capability)) {
      const title =
        c.capability === undefined && c.name.startsWith('has a name and declares')
          ? `${c.name} [${[...plan.claimed].join(', ')}]`
          : c.name;
      it(title, () => c.run(store, ctx), c.timed ? plan.timeout : undefined);
    }
  };

  describe(`SessionStore conformance: ${name}`, () => {
    beforeEach(async () => {
      ctx = storeCaseContext(plan);
      store = await factory({ clock: ctx.clock });
    });
    afterEach(async () => options.teardown?.(store));

    register(undefined);
    // Unclaimed capabilities register no cases: the 'declares' case already asserts they are absent.
    for (const capability of ['userIndex', 'consume', 'compareAndSet'] as const) {
      if (plan.claimed.has(capability)) describe(capability, () => register(capability));
    }
  });
}
