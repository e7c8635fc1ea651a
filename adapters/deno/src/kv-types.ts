/**
 * The slice of `Deno.Kv` the store uses, declared here so the package
 * type-checks on Node without Deno's types; a real `Deno.Kv` satisfies it
 * (test/runtimes/deno checks that with `deno check`).
 */

/** A Deno KV key part; Latchkey only ever uses strings. */
export type DenoKvKeyPart = string | number | bigint | boolean | symbol | Uint8Array;
/** A Deno KV key. */
export type DenoKvKey = readonly DenoKvKeyPart[];

/** `Deno.KvEntryMaybe`: `versionstamp` is `null` when the key is absent. */
export interface DenoKvEntryMaybe<T> {
  key: DenoKvKey;
  value: T | null;
  versionstamp: string | null;
}

/** `Deno.KvEntry`. */
export interface DenoKvEntry<T> {
  key: DenoKvKey;
  value: T;
  versionstamp: string;
}

/** `Deno.AtomicOperation`, as far as the store uses it. */
export interface DenoKvAtomic {
  check(...checks: { key: DenoKvKey; versionstamp: string | null }[]): this;
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): this;
  delete(key: DenoKvKey): this;
  commit(): Promise<{ ok: boolean }>;
}

/** `Deno.Kv`, as far as the store uses it. */
export interface DenoKvLike {
  get<T = unknown>(key: DenoKvKey): Promise<DenoKvEntryMaybe<T>>;
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: DenoKvKey): Promise<void>;
  list<T = unknown>(selector: { prefix: DenoKvKey }): AsyncIterable<DenoKvEntry<T>>;
  atomic(): DenoKvAtomic;
}
