/**
 * Cross-tab single flight for the refresh: the Web Locks API, so one tab of an
 * origin refreshes while the others wait; where `navigator.locks` is missing,
 * the caller's in-tab single flight is all there is.
 */

/** The part of `LockManager` used here; `navigator.locks` fits. */
export interface LockManagerLike {
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
  request<T>(
    name: string,
    options: { ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>;
}

/** The browser's lock manager, or `null` where there is none (older engines, non-secure contexts). */
export function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

/**
 * Run `work` holding the lock `name`. `afterWait` runs instead when another tab
 * held the lock first (it has likely just refreshed), and may call `work` itself.
 *
 * @example
 * await underLock(navigator.locks, 'latchkey:refresh', refreshNow, async () => (await handedOver()) ?? refreshNow());
 */
export async function underLock<T>(
  locks: LockManagerLike | null,
  name: string,
  work: () => Promise<T>,
  afterWait: () => Promise<T>,
): Promise<T> {
  if (!locks) return work();
  let contended = false;
  const first = await locks.request(name, { ifAvailable: true }, async (lock) => {
    if (lock === null) {
      contended = true;
      return undefined;
    }
    return work();
  });
  if (!contended) return first as T;
  return locks.request(name, () => afterWait());
}
