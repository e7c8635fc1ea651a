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
