/**
 * The injected clock. Every time decision in Latchkey reads `clock.now()`
 * (milliseconds since the epoch), never `Date.now()` directly, so tests move
 * time forward instead of sleeping.
 */

import { toMillis, type Duration } from './duration.js';

/** A source of the current time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** The wall clock. The default wherever a clock is optional. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to. For tests and simulations.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * clock.advance('31m'); // idle timeout of 30 minutes has now passed
 */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = 1_767_225_600_000 /* 2026-01-01T00:00:00Z */) {
    this.#now = start;
  }
  /**
   * The current time in milliseconds since the epoch; only `advance` and `set` change it.
   *
   * @example
   * const clock = new ManualClock(Date.UTC(2026, 0, 1));
   * clock.now(); // 1767225600000
   */
  now(): number {
    return this.#now;
  }
  /**
   * Move forward by a duration (milliseconds or a string such as `'15m'`) and
   * return the new time. Throws RangeError for a negative duration.
   *
   * @example
   * const clock = new ManualClock();
   * const store = new MemoryStore({ clock });
   * await store.set('k', 'v', 60_000);
   * clock.advance('61s');
   * await store.get('k'); // null: the TTL has passed
   */
  advance(by: Duration): number {
    const ms = toMillis(by);
    if (!(ms >= 0))
      throw new RangeError(
        `ManualClock.advance: expected a non-negative duration, got ${String(by)}`,
      );
    this.#now += ms;
    return this.#now;
  }
  /**
   * Jump to an absolute time; refuses to go backwards (RangeError).
   *
   * @example
   * const clock = new ManualClock(Date.UTC(2026, 0, 1));
   * clock.set(Date.UTC(2026, 0, 2)); // one day later
   */
  set(at: number): void {
    if (at < this.#now) throw new RangeError('ManualClock.set: time cannot go backwards');
    this.#now = at;
  }
}
