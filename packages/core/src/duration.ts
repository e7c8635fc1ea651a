/**
 * Durations as people write them in configuration: `'30m'`, `'14d'`, or a
 * number of milliseconds. Parsed once, when a policy is built.
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
