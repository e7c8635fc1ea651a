/**
 * @latchkey/core/store: for store authors. The store contract, capability
 * checks, and the argument checks every store in the repo calls at its edge.
 */
export * from './types.js';
export { checkString, checkTtl, checkValue } from './checks.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';
export { systemClock, type Clock } from '../clock.js';
