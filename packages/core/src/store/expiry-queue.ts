/**
 * An indexed min-heap of keys by time, for `MemoryStore`: the key due first
 * in O(1), and adding, moving or removing a key in O(log n), so a full store
 * finds what it may reclaim without scanning everything it holds.
 */

/** @internal Keys ordered by a time (ms); each key at most once. */
export class ExpiryQueue<K> {
  readonly #keys: K[] = [];
  readonly #at: number[] = [];
  readonly #position = new Map<K, number>();

  get size(): number {
    return this.#keys.length;
  }

  /** Add `key` at time `at`, or move it there. */
  set(key: K, at: number): void {
    const i = this.#position.get(key);
    if (i === undefined) {
      this.#keys.push(key);
      this.#at.push(at);
      this.#position.set(key, this.#keys.length - 1);
      this.#up(this.#keys.length - 1);
      return;
    }
    const before = this.#at[i]!;
    this.#at[i] = at;
    if (at < before) this.#up(i);
    else this.#down(i);
  }

  delete(key: K): void {
    const i = this.#position.get(key);
    if (i === undefined) return;
    const last = this.#keys.length - 1;
    if (i !== last) this.#swap(i, last);
    this.#keys.pop();
    this.#at.pop();
    this.#position.delete(key);
    if (i !== last) {
      this.#up(i);
      this.#down(i);
    }
  }

  /** The key due first and its time, without removing it. */
  peek(): [K, number] | undefined {
    return this.#keys.length === 0 ? undefined : [this.#keys[0]!, this.#at[0]!];
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#at[parent]! <= this.#at[i]!) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#at[l]! < this.#at[m]!) m = l;
      if (r < n && this.#at[r]! < this.#at[m]!) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }

  #swap(a: number, b: number): void {
    const [ka, kb] = [this.#keys[a]!, this.#keys[b]!];
    [this.#keys[a], this.#keys[b]] = [kb, ka];
    [this.#at[a], this.#at[b]] = [this.#at[b]!, this.#at[a]!];
    this.#position.set(ka, b);
    this.#position.set(kb, a);
  }
}
