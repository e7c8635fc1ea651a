/** Polling for browser tests: a tab mid-navigation may not answer, so each call is bounded. */

/** Poll `read` until `done` holds, for at most `timeout` ms; the last value is returned either way. */
export async function until<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeout = 10_000,
): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    let value: T | undefined;
    try {
      // A page mid-navigation may never answer one call: give each call 2 s, then ask again.
      value = await Promise.race([
        read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref(),
        ),
      ]);
      if (done(value)) return value;
    } catch (error) {
      // Mid-navigation a tab may not answer; try again until the end.
      if (Date.now() >= end) throw error;
    }
    if (Date.now() >= end) return value as T;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** {@link until}, but a wait that never comes true fails with the last value seen (default 15 s). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeout = 15_000,
): Promise<T> {
  const value = await until(read, done, timeout);
  if (!done(value)) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
  return value;
}
