/**
 * The runner-neutral part of @latchkey/core/testing: a manual clock, the pure decision, the
 * store conformance cases as data with a runner-free driver, and assertions. It imports no test
 * runner, so it loads on every runtime; it is the JSR entry for ./testing (Deno has its own runner).
 */
export { ManualClock, systemClock } from '../clock.js';
export { decide, type Decision, type Expiry, type ExpiryKind } from '../decide.js';
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
export { DbscBrowser, type DbscBrowserOptions, type DbscExchange } from './dbsc-browser.js';
export { generateKeyPair, readChallenge, sign as signDbscProof } from './dbsc-proof.js';
export type { BrowserSession } from './dbsc-scope.js';
export { CookieJar, type JarCookie } from './cookie-jar.js';
