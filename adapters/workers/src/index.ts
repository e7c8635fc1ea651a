/**
 * @latchkey/workers: Latchkey sessions on Cloudflare Workers. A fetch wrapper
 * taking secrets and bindings from `env`, a Workers KV store (eventually
 * consistent: get/set/delete only), and a Durable Object store (strongly
 * consistent, every capability) for rotation and revocation that must hold.
 */
export { withWorkerSessions, type WorkerSessionContext } from './fetch.js';
export {
  workersKvStore,
  kvExpirationTtl,
  KV_MIN_TTL_SECONDS,
  type WorkersKvStoreOptions,
} from './kv-store.js';
export { LatchkeySessionsDO } from './sessions-object.js';
export { durableObjectStore, type DurableObjectStoreOptions } from './durable-object-store.js';
export type {
  KvNamespaceLike,
  DurableObjectNamespaceLike,
  DurableObjectStubLike,
  DurableObjectResponseLike,
  DurableObjectStateLike,
  DurableObjectStorageLike,
  ExecutionContextLike,
} from './bindings.js';
