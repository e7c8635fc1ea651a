/**
 * Unknown option names, refused at construction: a misspelt `idleTimout` would
 * otherwise be ignored in silence and the default used. The error names the key
 * and, when one is close, the option that was meant.
 */

/** Optimal string alignment distance (Levenshtein plus adjacent swaps), case-insensitive. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name closest to `name`, or `undefined` when none is close: a typo
 * (at most two edits, three for long names) or a fragment such as `idle`.
 *
 * @example
 * closestName('idleTimout', ['idleTimeout', 'absoluteTimeout']); // 'idleTimeout'
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best !== undefined && bestDistance <= (name.length > 10 ? 3 : 2)) return best;
  const lower = name.toLowerCase();
  if (lower.length >= 4) return known.find((k) => k.toLowerCase().startsWith(lower));
  return undefined;
}

/**
 * The first own key of `options` that is not in `known`, with the sentence to
 * show for it: a `hint` when one is given for that key, else "did you mean"
 * the closest known name, else the list of known names. `undefined` when every
 * key is known.
 *
 * @example
 * const unknown = unknownOption({ idleTimout: '5m' }, ['idleTimeout', 'absoluteTimeout']);
 * // { key: 'idleTimout', message: 'unknown option "idleTimout"; did you mean "idleTimeout"?' }
 */
export function unknownOption(
  options: object,
  known: readonly string[],
  hints: Readonly<Record<string, string>> = {},
): { key: string; message: string } | undefined {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const close = closestName(key, known);
    const help = Object.hasOwn(hints, key)
      ? hints[key]
      : close !== undefined
        ? `did you mean "${close}"?`
        : `the options are ${known.join(', ')}`;
    return { key, message: `unknown option "${key}"; ${help}` };
  }
  return undefined;
}
