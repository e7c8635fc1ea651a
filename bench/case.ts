/**
 * What every benchmark file hands to run.ts: named cases, each one call of
 * `fn` doing `opsPerCall` operations. Cheap operations (a Map lookup takes
 * nanoseconds, less than reading the timer) run many times per call so the
 * timer's own cost does not swamp them; ops/s is counted per operation.
 */

export interface Case {
  name: string;
  /** The operations one call performs. Default 1. */
  opsPerCall?: number;
  /** Name of the floor this case is compared with; a floor names none. */
  floor?: string;
  fn: () => unknown;
  /** Untimed clean-up after each call (keeps a store at a steady size). */
  afterEach?: () => void | Promise<void>;
}

/** Keeps results alive so the JIT cannot drop the work that made them. */
export const sink = { value: 0 as unknown };
