/**
 * @latchkey/deno: Latchkey sessions on Deno. `serveWithSessions` wraps
 * `Deno.serve`; `denoKvStore` keeps sessions in Deno KV with every optional
 * store capability (per-user index, consume-once, compare-and-set).
 */
export {
  serveWithSessions,
  type ServeWithSessionsOptions,
  type DenoServeOptions,
  type DenoServeHandlerInfo,
  type DenoHttpServer,
} from './serve.js';
export { denoKvStore, type DenoKvStoreOptions } from './kv-store.js';
export type {
  DenoKvLike,
  DenoKvAtomic,
  DenoKvEntry,
  DenoKvEntryMaybe,
  DenoKvKey,
  DenoKvKeyPart,
} from './kv-types.js';
