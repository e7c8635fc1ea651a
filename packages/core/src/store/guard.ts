/**
 * Fail closed, the same way everywhere the engine touches a store: any
 * rejection becomes a `StoreError` naming the operation, and a `store-error`
 * event is emitted, so an app can tell "the store is down" from "the session
 * is gone".
 */

import { StoreError } from '../errors.js';
import { emit, type EventSink } from '../events.js';

/** Run one store operation; a failure is rethrown as `StoreError` after a `store-error` event. */
export async function guardStore<T>(
  operation: string,
  fn: () => Promise<T>,
  now: () => number,
  sink: EventSink | undefined,
): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const error =
      cause instanceof StoreError ? cause : new StoreError(operation, message, { cause });
    emit(sink, { type: 'store-error', at: now(), operation, code: error.code, message });
    throw error;
  }
}
