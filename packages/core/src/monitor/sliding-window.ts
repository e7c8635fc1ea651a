/**
 * Counts per key over a sliding window of time, in a fixed number of buckets,
 * so memory stays the same however many events pass. Time is given, never read.
 */

/** Buckets a window is cut into: a count stays for its whole span and leaves within 1/60 of a span after. */
const BUCKETS = 60;

/**
 * Counts per key over the last `span` milliseconds.
 *
 * @example
 * const w = new SlidingCounts(300_000);
 * w.add('created', clock.now());
 * w.counts(clock.now()); // { created: 1 }, until five minutes later
 */
export class SlidingCounts<Key extends string = string> {
  readonly #width: number;
  /** Bucket number (time / width) to the counts that fell in it. */
  readonly #buckets = new Map<number, Map<Key, number>>();

  constructor(readonly span: number) {
    this.#width = Math.max(1, span / BUCKETS);
  }

  add(key: Key, at: number, by = 1): void {
    const slot = Math.floor(at / this.#width);
    let bucket = this.#buckets.get(slot);
    if (!bucket) {
      bucket = new Map();
      this.#buckets.set(slot, bucket);
      this.#prune(at);
    }
    bucket.set(key, (bucket.get(key) ?? 0) + by);
  }

  /** The counts of the window ending at `now`, keys with none left out. */
  counts(now: number): Partial<Record<Key, number>> {
    this.#prune(now);
    const out: Partial<Record<Key, number>> = {};
    const first = this.#first(now);
    for (const [slot, bucket] of this.#buckets) {
      if (slot < first || slot > Math.floor(now / this.#width)) continue;
      for (const [key, n] of bucket) out[key] = (out[key] ?? 0) + n;
    }
    return out;
  }

  #first(now: number): number {
    return Math.floor(now / this.#width) - BUCKETS;
  }

  #prune(now: number): void {
    const first = this.#first(now);
    for (const slot of this.#buckets.keys()) if (slot < first) this.#buckets.delete(slot);
  }
}
