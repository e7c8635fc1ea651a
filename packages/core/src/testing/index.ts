/**
 * @latchkey/core/testing: the store conformance suite for vitest (`testStore`), and the
 * runner-neutral pieces tests and simulations reach for (portable.ts: a manual clock, the
 * conformance cases for any runner, assertions).
 */
export * from './portable.js';
export {
  testStore,
  type StoreConformanceOptions,
  type StoreFactory,
  type StoreTestContext,
} from './store-conformance.js';
