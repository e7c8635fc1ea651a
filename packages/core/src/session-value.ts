/**
 * What a session value may be: JSON that survives the trip through the store
 * or the sealed cookie unchanged, nested at most `MAX_VALUE_DEPTH` deep.
 * Checked when the app calls `set`, so a value that cannot be stored is the
 * app's error at the line that made it, a `TypeError` naming the key, and
 * never a stack overflow or a lost write at commit.
 */

/** Deepest nesting of objects and arrays a session value may have. */
export const MAX_VALUE_DEPTH = 64;

/** Throw a `TypeError` naming `key` when `value` is not storable session data. */
export function checkSessionValue(key: string, value: unknown): void {
  const problem = whyNotStorable(value);
  if (problem)
    throw new TypeError(
      `session.set(${JSON.stringify(key)}, …): ${problem}. Session data must be JSON ` +
        `(strings, finite numbers, booleans, null, and plain arrays and objects of them, ` +
        `at most ${MAX_VALUE_DEPTH} levels deep); keep large or structured data in your database and store its id.`,
    );
}

type Step = { readonly value: unknown; readonly depth: number } | { readonly leave: object };

function whyNotStorable(root: unknown): string | undefined {
  // Iterative, so a hostile depth cannot overflow the stack here either.
  const steps: Step[] = [{ value: root, depth: 0 }];
  const ancestors = new Set<object>();
  while (steps.length > 0) {
    const step = steps.pop()!;
    if ('leave' in step) {
      ancestors.delete(step.leave);
      continue;
    }
    const { value, depth } = step;
    if (value === null || value === undefined) continue; // undefined properties are dropped, as JSON does
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (Number.isFinite(value)) continue;
        return `${String(value)} is not a JSON number`;
      case 'object':
        break;
      default:
        return `a ${typeof value} cannot be stored`;
    }
    if (depth >= MAX_VALUE_DEPTH) return `it is nested deeper than ${MAX_VALUE_DEPTH} levels`;
    if (ancestors.has(value)) return 'it contains itself (a cycle)';
    const proto: unknown = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name;
      return `a ${name || 'class instance'} would come back as something else`;
    }
    ancestors.add(value);
    steps.push({ leave: value });
    for (const child of Object.values(value)) steps.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}
