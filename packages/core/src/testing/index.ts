/**
 * @latchkey/core/testing: the store conformance suite, a manual clock, and
 * the pure pieces tests and simulations reach for.
 */
export { ManualClock, systemClock } from '../clock.js';
export { decide, type Decision, type Expiry, type ExpiryKind } from '../decide.js';
export {
  testStore,
  type StoreConformanceOptions,
  type StoreFactory,
  type StoreTestContext,
} from './store-conformance.js';
export {
  storeCases,
  storeCaseName,
  runStoreCases,
  planStoreCases,
  storeCaseContext,
  type StoreCase,
  type StoreCaseContext,
  type StoreCaseResult,
  type StorePlan,
} from './store-cases.js';
export { assertEqual, assertTrue, AssertionFailure } from './assert.js';
