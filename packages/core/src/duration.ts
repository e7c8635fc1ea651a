/**
 * Durations as people write them in configuration: `'30m'`, `'14d'`, or a
 * number of milliseconds. Parsed once, when a policy is built; `duration()`
 * reads one from text such as an environment variable.
 */

/** A duration: milliseconds, or a number with a unit (`ms`, `s`, `m`, `h`, `d`). */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Turn a {@link Duration} into milliseconds, or `NaN` when it is not one.
 *
 * @example
 * toMillis('15m') // 900000
 */
export function toMillis(value: Duration | undefined | null): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1]) * (units[m[2]!] ?? Number.NaN);
}

const ACCEPTED =
  "a whole number of milliseconds ('1800000') or a number with a unit: ms, s, m, h or d ('30m', '12h', '500ms')";

/**
 * Read a duration from text, e.g. an environment variable, without `as Duration`:
 * the text as a {@link Duration}, or `fallback` when the text is missing or blank.
 * Digits alone are milliseconds, as a number in a policy is.
 *
 * @throws RangeError naming the accepted forms, for text that is not a duration
 *   (or missing text and no fallback).
 * @example
 * definePolicy({
 *   idleTimeout: duration(env.SESSION_IDLE, '30m'),
 *   absoluteTimeout: duration(env.SESSION_ABSOLUTE, '12h'),
 * });
 */
export function duration(text: string | undefined, fallback?: Duration): Duration {
  const trimmed = typeof text === 'string' ? text.trim() : text;
  if (trimmed === undefined || trimmed === '') {
    if (fallback !== undefined) return fallback;
    throw new RangeError(`duration: no value and no fallback; expected ${ACCEPTED}`);
  }
  if (typeof trimmed !== 'string')
    throw new TypeError(`duration: expected a string, got ${typeof trimmed}`);
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(trimmed);
  if (m) return `${Number(m[1])}${m[2] as 'ms' | 's' | 'm' | 'h' | 'd'}`;
  throw new RangeError(`duration: expected ${ACCEPTED}, got ${JSON.stringify(text)}`);
}

/** Render milliseconds in the largest whole unit, for policy documents and messages: `90000` → `"90 seconds"`. */
export function describeDuration(ms: number): string {
  const parts: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of parts) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
