/**
 * A statement's deadline on the client side: the promise rejects once
 * `statementTimeout` has passed, whatever the database or the network is
 * doing, so a stalled server costs a request `statementTimeout` and a 503,
 * never a hung request.
 */

import { ConfigError } from '@latchkey/core';

/** Default `statementTimeout` of every driver, in milliseconds. */
export const defaultStatementTimeout = 5_000;

/** Check a `statementTimeout` option and return it in milliseconds (`fallback` when absent). */
export function statementTimeoutOf(
  who: string,
  value: unknown,
  fallback = defaultStatementTimeout,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(
      `${who}: statementTimeout must be a whole number of milliseconds of at least 1, got ${String(value)}`,
    );
  }
  return value;
}

/** `work`, or a rejection naming the timeout once `ms` have passed (then `onTimeout` runs, e.g. to cancel). */
export function withDeadline<T>(
  who: string,
  ms: number,
  work: Promise<T>,
  onTimeout?: () => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${who}: statement timed out after ${ms} ms (statementTimeout)`));
      onTimeout?.();
    }, ms);
  });
  // The losing promise settles later; its outcome is nobody's business any more.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
