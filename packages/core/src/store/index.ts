/**
 * @latchkey/core/store: for store authors. The store contract, capability
 * checks, the argument checks every store in the repo calls at its edge, and
 * the `{ v, e }` envelope for backends whose own TTL is coarse or absent.
 */
export * from './types.js';
export { checkExpected, checkString, checkTtl, checkValue } from './checks.js';
export { envelope, openEnvelope, parseEnvelope, type Envelope } from './envelope.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';
export { systemClock, type Clock } from '../clock.js';
