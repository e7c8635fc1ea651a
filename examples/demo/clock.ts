/**
 * The demo's clock: the real time plus an offset the playground moves
 * forward, injected into every engine, so idle expiry, the absolute cap and
 * remember-me can be watched without waiting. Never backwards: cookies carry
 * `Expires` from this clock, and a browser drops a cookie that is already past it.
 */

import type { Clock } from '@latchkey/core';

/** The most one step may move the clock: a little past the 400-day cookie cap. */
export const MAX_ADVANCE_MS = 401 * 24 * 60 * 60 * 1000;

export class DemoClock implements Clock {
  #offset = 0;
  constructor(private readonly real: () => number = Date.now) {}
  now(): number {
    return this.real() + this.#offset;
  }
  /** How far ahead of the real time the demo is, in ms. */
  get offset(): number {
    return this.#offset;
  }
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_ADVANCE_MS)
      throw new RangeError(`advanceMs must be a number of ms in (0, ${MAX_ADVANCE_MS}]`);
    this.#offset += Math.floor(ms);
    return this.now();
  }
}
