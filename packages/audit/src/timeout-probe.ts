/**
 * The timeout probes (ASVS 5.0 V7.3.1, V7.3.2): sign in, move time to just
 * before the claimed timeout and to just after it, and note whether the
 * session still answered. Time moves through the app's clock hook or by waiting.
 */

import { CookieJar } from './browser.js';
import type { TimeoutProbe } from './observations.js';

/** What a timeout probe needs from the prober. */
export interface TimeTravel {
  method: TimeoutProbe['method'];
  /** Moves the app's time forward by `ms` (its clock hook, or a real wait). */
  advance(ms: number): Promise<void>;
  signIn(jar: CookieJar): Promise<unknown>;
  /** The protected URL's status for `jar` (keeping any renewed cookie). */
  status(jar: CookieJar): Promise<number>;
}

const ok = (status: number) => status >= 200 && status < 300;

/**
 * A tenth of the claim, at least a minute (or half a claim shorter than two minutes): a
 * session may end up to one touch interval early, and requests take time.
 *
 * @example
 * toleranceFor(30 * 60_000) // 180000
 */
export const toleranceFor = (claimedMs: number) =>
  Math.max(claimedMs / 10, Math.min(60_000, claimedMs / 2));

/** Idle: quiet until just before the claim (one request: activity), then quiet past it. */
export async function probeIdle(claimed: number, t: TimeTravel): Promise<TimeoutProbe> {
  const tol = toleranceFor(claimed);
  const jar = new CookieJar();
  await t.signIn(jar);
  await t.advance(claimed - tol);
  const base = { claimedMs: claimed, toleranceMs: tol, method: t.method };
  if (!ok(await t.status(jar)))
    return { ...base, aliveBefore: false, endedAfterMs: claimed - tol, aliveAfter: false };
  await t.advance(claimed + tol);
  return { ...base, aliveBefore: true, aliveAfter: ok(await t.status(jar)) };
}

/**
 * Absolute: kept active with a request every half idle timeout (a tenth of the claim when
 * no idle timeout is claimed) up to the claim less the tolerance, then past it plus the tolerance.
 */
export async function probeAbsolute(
  claimed: number,
  idle: number | undefined,
  t: TimeTravel,
): Promise<TimeoutProbe> {
  const tol = toleranceFor(claimed);
  const step = Math.min(idle !== undefined ? idle / 2 : claimed / 10, (claimed - tol) / 2);
  const jar = new CookieJar();
  await t.signIn(jar);
  let elapsed = 0;
  const activeUntil = async (end: number) => {
    while (elapsed < end) {
      const by = Math.min(step, end - elapsed);
      await t.advance(by);
      elapsed += by;
      if (!ok(await t.status(jar))) return false;
    }
    return true;
  };
  const base = { claimedMs: claimed, toleranceMs: tol, method: t.method };
  if (!(await activeUntil(claimed - tol)))
    return { ...base, aliveBefore: false, endedAfterMs: elapsed, aliveAfter: false };
  return { ...base, aliveBefore: true, aliveAfter: await activeUntil(claimed + tol) };
}
