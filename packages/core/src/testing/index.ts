/**
 * @latchkey/core/testing: the store conformance suite and test helpers.
 */
export { ManualClock } from '../clock.js';
