/**
 * The store timeout: every store call settles within its deadline or fails
 * closed with `StoreTimeoutError`, so a hung store (a paused process, a
 * network black hole) costs a request at most the timeout, never the pause.
 * One timer watches every pending call and runs only while one is pending: a
 * call that settles at once costs a set insertion and a deletion, no timer.
 * Deadlines are real time (`performance.now()`), not the engine's clock: a
 * manual test clock must not decide when a network call has taken too long.
 */

import { ConfigError } from '../errors.js';
import { toMillis, type Duration } from '../duration.js';

/** Default store timeout: a healthy store answers in well under a millisecond to a few. */
export const DEFAULT_STORE_TIMEOUT_MS = 500;

interface Pending {
  readonly due: number;
  readonly late: () => void;
}

export class StoreDeadline {
  readonly #pending = new Set<Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** The timeout, in milliseconds. */
    readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * `StoreDeadline` for the `storeTimeout` option of `who`: a duration, `false`
   * for none, or the default when absent.
   */
  static of(who: string, value: Duration | false | undefined): StoreDeadline | undefined {
    if (value === false) return undefined;
    const ms = value === undefined ? DEFAULT_STORE_TIMEOUT_MS : toMillis(value);
    if (!(ms > 0) || ms > 2_147_483_647)
      throw new ConfigError(
        `${who}: storeTimeout must be a positive duration such as '500ms' or '2s', or false for none; got ${JSON.stringify(value)}`,
      );
    return new StoreDeadline(ms);
  }

  /** `promise`, or `late()`'s error once the deadline passes first. */
  guard<T>(promise: Promise<T>, late: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { due: this.now() + this.ms, late: () => reject(late()) };
      this.#pending.add(entry);
      this.#arm();
      promise.then(
        (value) => {
          this.#pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  /** Check a few times per timeout: a late call fails within 1.25 × the timeout. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const timer = setTimeout(() => this.#tick(), Math.max(5, this.ms / 4));
    (timer as { unref?: () => void }).unref?.(); // never keeps a Node process alive
    this.#timer = timer;
  }

  #tick(): void {
    this.#timer = undefined;
    const now = this.now();
    for (const entry of this.#pending) {
      if (entry.due > now) continue;
      this.#pending.delete(entry);
      entry.late();
    }
    if (this.#pending.size > 0) this.#arm();
  }
}
