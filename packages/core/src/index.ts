/**
 * @latchkey/core: the session policy engine. Web standards only (Request,
 * Response, Headers, URL, WebCrypto, TextEncoder), plus jose and @noble/hashes.
 */
export * from './errors.js';
export * from './clock.js';
export * from './duration.js';
export { cryptoRandom, type RandomSource } from './random.js';
export * from './store/types.js';
