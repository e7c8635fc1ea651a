/**
 * @latchkey/core/testing: the store conformance suite and test helpers.
 */
export { ManualClock } from '../clock.js';
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
