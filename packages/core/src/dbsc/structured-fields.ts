/**
 * RFC 9651 structured fields, strictly, for the shapes DBSC uses: lists of items and inner
 * lists with parameters, whose bare items are strings, tokens, integers and booleans. A field
 * that breaks the grammar parses as `null` (RFC 9651 §4.2: the whole field is then ignored).
 */

/** A bare item (RFC 9651 §3.3) of the kinds DBSC headers carry. */
export type BareItem =
  | { kind: 'string'; value: string }
  | { kind: 'token'; value: string }
  | { kind: 'integer'; value: number }
  | { kind: 'boolean'; value: boolean };

/** Parameters (§3.1.2), in order; a repeated key keeps its last value. */
export type Parameters = Map<string, BareItem>;

/** A list member: an item, or an inner list (§3.1.1), each with its parameters. */
export type Member =
  | { inner: false; item: BareItem; params: Parameters }
  | { inner: true; items: Array<{ item: BareItem; params: Parameters }>; params: Parameters };

class Input {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s.charAt(this.pos);
  }
  skip(chars: string): void {
    while (!this.done && chars.includes(this.peek())) this.pos++;
  }
}

class Invalid extends Error {}
const fail = (): never => {
  throw new Invalid();
};

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isLcalpha = (c: string): boolean => c >= 'a' && c <= 'z';
const TCHAR = "!#$%&'*+-.^_`|~";
const isTchar = (c: string): boolean => isAlpha(c) || isDigit(c) || (c !== '' && TCHAR.includes(c));

function parseBareItem(input: Input): BareItem {
  const c = input.peek();
  if (c === '"') return { kind: 'string', value: parseString(input) };
  if (c === '?') {
    input.pos++;
    const v = input.peek();
    if (v !== '0' && v !== '1') fail();
    input.pos++;
    return { kind: 'boolean', value: v === '1' };
  }
  if (c === '-' || isDigit(c)) return { kind: 'integer', value: parseInteger(input) };
  if (isAlpha(c) || c === '*') return { kind: 'token', value: parseToken(input) };
  return fail();
}

/** §4.2.5: only `\"` and `\\` escapes; only printable ASCII. */
function parseString(input: Input): string {
  input.pos++;
  let out = '';
  while (!input.done) {
    const c = input.peek();
    input.pos++;
    if (c === '\\') {
      const next = input.peek();
      if (next !== '"' && next !== '\\') fail();
      out += next;
      input.pos++;
    } else if (c === '"') {
      return out;
    } else {
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) fail();
      out += c;
    }
  }
  return fail();
}

function parseToken(input: Input): string {
  const start = input.pos;
  input.pos++;
  while (!input.done && (isTchar(input.peek()) || input.peek() === ':' || input.peek() === '/'))
    input.pos++;
  return input.s.slice(start, input.pos);
}

/** §4.2.4, integers only (DBSC has no decimals): at most 15 digits. */
function parseInteger(input: Input): number {
  const start = input.pos;
  if (input.peek() === '-') input.pos++;
  const digits = input.pos;
  while (!input.done && isDigit(input.peek())) input.pos++;
  const length = input.pos - digits;
  if (length === 0 || length > 15 || input.peek() === '.') fail();
  return Number(input.s.slice(start, input.pos));
}

function parseParameters(input: Input): Parameters {
  const params: Parameters = new Map();
  while (input.peek() === ';') {
    input.pos++;
    input.skip(' ');
    const start = input.pos;
    if (!isLcalpha(input.peek()) && input.peek() !== '*') fail();
    while (!input.done && /[a-z0-9_.*-]/.test(input.peek())) input.pos++;
    const key = input.s.slice(start, input.pos);
    let value: BareItem = { kind: 'boolean', value: true };
    if (input.peek() === '=') {
      input.pos++;
      value = parseBareItem(input);
    }
    params.delete(key);
    params.set(key, value);
  }
  return params;
}

function parseMember(input: Input): Member {
  if (input.peek() !== '(') {
    const item = parseBareItem(input);
    return { inner: false, item, params: parseParameters(input) };
  }
  input.pos++;
  const items: Array<{ item: BareItem; params: Parameters }> = [];
  for (;;) {
    input.skip(' ');
    if (input.done) fail();
    if (input.peek() === ')') {
      input.pos++;
      return { inner: true, items, params: parseParameters(input) };
    }
    const item = parseBareItem(input);
    items.push({ item, params: parseParameters(input) });
    if (input.peek() !== ' ' && input.peek() !== ')') fail();
  }
}

/**
 * Parse a List structured field (RFC 9651 §4.2.1), or `null` when it breaks the grammar.
 * `Headers.get()` already joins repeated field lines with `", "`, as §4.2 asks.
 *
 * @example
 * parseList('(ES256 RS256);path="/reg";challenge="c1"')?.[0]?.params.get('path'); // { kind: 'string', value: '/reg' }
 */
export function parseList(field: string | null): Member[] | null {
  if (field === null) return null;
  const input = new Input(field);
  input.skip(' ');
  const members: Member[] = [];
  try {
    while (!input.done) {
      members.push(parseMember(input));
      input.skip(' \t');
      if (input.done) break;
      if (input.peek() !== ',') fail();
      input.pos++;
      input.skip(' \t');
      if (input.done) fail();
    }
    // §4.2: trailing spaces were skipped; anything left would have failed above.
    return members;
  } catch (error) {
    if (error instanceof Invalid) return null;
    throw error;
  }
}

/**
 * Parse an Item structured field (§4.2.3), or `null`.
 *
 * @example
 * parseItem('"abc";id="s1"')?.item; // { kind: 'string', value: 'abc' }
 */
export function parseItem(field: string | null): { item: BareItem; params: Parameters } | null {
  if (field === null) return null;
  const input = new Input(field);
  input.skip(' ');
  try {
    const item = parseBareItem(input);
    const params = parseParameters(input);
    input.skip(' ');
    return input.done ? { item, params } : null;
  } catch (error) {
    if (error instanceof Invalid) return null;
    throw error;
  }
}

/**
 * Serialize an sf-string (§4.1.6): escapes `"` and `\`; refuses what it cannot carry.
 *
 * @throws {RangeError} for a character outside printable ASCII.
 * @example
 * sfString('a "b"'); // '"a \\"b\\""'
 */
export function sfString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e)
      throw new RangeError(`an sf-string carries printable ASCII only; index ${i} is not`);
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Serialize an sf-token (§4.1.7).
 *
 * @throws {RangeError} when `value` is not a token.
 * @example
 * sfToken('ES256'); // 'ES256'
 */
export function sfToken(value: string): string {
  const ok =
    value.length > 0 &&
    (isAlpha(value[0]!) || value[0] === '*') &&
    [...value.slice(1)].every((c) => isTchar(c) || c === ':' || c === '/');
  if (!ok) throw new RangeError(`${JSON.stringify(value)} is not an sf-token`);
  return value;
}

/** The string value of a parameter, or `undefined` when absent or not an sf-string. */
export function stringParam(params: Parameters, key: string): string | undefined {
  const v = params.get(key);
  return v?.kind === 'string' ? v.value : undefined;
}
