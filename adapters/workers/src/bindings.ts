/**
 * The slices of the Workers runtime types the package uses (KV namespaces,
 * Durable Object namespaces and state), declared here so it type-checks
 * without `@cloudflare/workers-types`; the real bindings satisfy them
 * (test/runtimes/workers-stores.test.ts checks that against those types).
 */

/** A Workers KV namespace binding, as far as the store uses it. */
export interface KvNamespaceLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The part of a stub's response the client reads (the Workers `Response` type differs a little from the DOM's). */
export interface DurableObjectResponseLike {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}

/** A Durable Object stub, as far as the client store uses it. */
export interface DurableObjectStubLike {
  fetch(
    input: string,
    init?: { method?: string; body?: string; headers?: Record<string, string> },
  ): Promise<DurableObjectResponseLike>;
}

/** A Durable Object namespace binding, as far as the client store uses it. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): DurableObjectStubLike;
}

/** Durable Object transactional storage, as far as `LatchkeySessionsDO` uses it. */
export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options?: {
    prefix?: string;
    start?: string;
    limit?: number;
  }): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
}

/** Durable Object state, as far as `LatchkeySessionsDO` uses it. */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
}

/** The execution context a Workers fetch handler receives. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}
