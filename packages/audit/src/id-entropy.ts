/**
 * An upper bound on a session ID's entropy, read from IDs collected over
 * repeated logins: positions that never change carry nothing, the rest at
 * most log2 of the alphabet each; and IDs that count up are predictable
 * whatever their length (OWASP ASVS 5.0 V7.2.3 asks for 128 bits from a CSPRNG).
 */

/** What the samples say about the ID. */
export interface EntropyEstimate {
  /** Samples looked at. */
  samples: number;
  /** Shortest sample, in characters. */
  length: number;
  /** The alphabet the samples fit, by name, and its size. */
  alphabet: { name: string; size: number };
  /** Character positions that differ between samples (all of them with one sample). */
  varyingPositions: number;
  /** Characters every sample starts with. */
  sharedPrefix: number;
  /** Upper bound, in bits: varying positions × log2(alphabet size). */
  bits: number;
  /** The varying part reads as a number that moves by small steps: a counter or a clock. */
  sequential: boolean;
  /**
   * Too few samples to tell a fixed position from one that repeated by chance (two hex IDs
   * share a digit one time in 16), so every position was counted.
   */
  fewSamples: boolean;
}

/** A position counts as fixed only when chance would repeat it less than once in 2^20. */
const CHANCE_BITS = 20;

const ALPHABETS: ReadonlyArray<{ name: string; size: number; test: RegExp }> = [
  { name: 'decimal digits', size: 10, test: /^[0-9]*$/ },
  { name: 'hex', size: 16, test: /^[0-9a-f]*$/ },
  { name: 'hex', size: 16, test: /^[0-9A-F]*$/ },
  { name: 'letters and digits', size: 62, test: /^[0-9A-Za-z]*$/ },
  { name: 'base64url', size: 64, test: /^[0-9A-Za-z_-]*$/ },
  { name: 'base64', size: 65, test: /^[0-9A-Za-z+/=]*$/ },
];
/** Printable cookie-octets (RFC 6265 §4.1.1): the most any value can use. */
const COOKIE_OCTETS = { name: 'cookie characters', size: 90 };

/** Steps at most this big between logins read as a counter or a timestamp. */
const SMALL_STEP = 2 ** 32;

function alphabetOf(chars: string): { name: string; size: number } {
  for (const a of ALPHABETS) if (a.test.test(chars)) return { name: a.name, size: a.size };
  return COOKIE_OCTETS;
}

function commonPrefix(values: readonly string[]): number {
  const first = values[0] ?? '';
  let n = 0;
  while (n < first.length && values.every((v) => v[n] === first[n])) n++;
  return n;
}

function commonSuffix(values: readonly string[], prefix: number): number {
  const min = Math.min(...values.map((v) => v.length)) - prefix;
  let n = 0;
  while (
    n < min &&
    values.every((v) => v[v.length - 1 - n] === values[0]![values[0]!.length - 1 - n])
  )
    n++;
  return n;
}

/** The varying middles as numbers (decimal, else hex), or `null` when they are not all numbers. */
function asNumbers(middles: readonly string[]): bigint[] | null {
  if (middles.every((m) => /^[0-9]{1,40}$/.test(m))) return middles.map((m) => BigInt(m));
  if (middles.every((m) => /^[0-9a-fA-F]{1,32}$/.test(m)))
    return middles.map((m) => BigInt('0x' + m));
  return null;
}

/**
 * Estimates the entropy of the IDs in `samples` (in the order they were issued).
 *
 * @example
 * estimateEntropy(['0001', '0002', '0003']).sequential // true
 */
export function estimateEntropy(samples: readonly string[]): EntropyEstimate {
  // Percent-encoding (`s%3A…` in express-session) spreads one character over three.
  const values = samples.filter((s) => typeof s === 'string').map(percentDecoded);
  if (values.length === 0)
    return {
      samples: 0,
      length: 0,
      alphabet: COOKIE_OCTETS,
      varyingPositions: 0,
      sharedPrefix: 0,
      bits: 0,
      sequential: false,
      fewSamples: true,
    };
  const length = Math.min(...values.map((v) => v.length));
  let varying = 0;
  let varyingChars = '';
  for (let i = 0; i < length; i++) {
    const column = new Set(values.map((v) => v[i]!));
    if (values.length === 1 || column.size > 1) {
      varying++;
      varyingChars += [...column].join('');
    }
  }
  const alphabet = alphabetOf(varyingChars);
  const fewSamples = (values.length - 1) * Math.log2(alphabet.size) < CHANCE_BITS;
  if (fewSamples) varying = length;
  const prefix = values.length > 1 ? commonPrefix(values) : 0;
  let sequential = false;
  if (values.length >= 2) {
    const suffix = commonSuffix(values, prefix);
    const numbers = asNumbers(values.map((v) => v.slice(prefix, v.length - suffix)));
    if (numbers) {
      const steps = numbers.slice(1).map((n, i) => n - numbers[i]!);
      const small = (d: bigint) => (d < 0n ? -d : d) <= BigInt(SMALL_STEP);
      sequential = steps.every(small);
    }
  }
  return {
    samples: values.length,
    length,
    alphabet,
    varyingPositions: varying,
    sharedPrefix: prefix,
    bits: Math.floor(varying * Math.log2(alphabet.size)),
    sequential,
    fewSamples,
  };
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Samples that occur more than once. */
export function repeatedIds(samples: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeats = new Set<string>();
  for (const s of samples) (seen.has(s) ? repeats : seen).add(s);
  return [...repeats];
}
