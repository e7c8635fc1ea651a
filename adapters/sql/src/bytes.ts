/**
 * Strings to UTF-8 bytes and back, exactly. Keys, user IDs and values are
 * stored as bytes because PostgreSQL `text` refuses NUL; a string with a lone
 * surrogate has no UTF-8 form, so it is refused rather than silently changed.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 bytes of `text`; a TypeError naming `field` if it holds a lone surrogate. */
export function toBytes(who: string, field: string, text: string): Uint8Array {
  const wellFormed = (text as { isWellFormed?: () => boolean }).isWellFormed;
  if (wellFormed ? !wellFormed.call(text) : loneSurrogate.test(text)) {
    throw new TypeError(
      `${who}: ${field} must be well-formed Unicode: it holds a lone surrogate, which UTF-8 cannot store (JSON.stringify escapes them)`,
    );
  }
  return encoder.encode(text);
}

/** The string in a byte column as a driver returns it (`Buffer`, `Uint8Array` or `ArrayBuffer`). */
export function fromBytes(who: string, column: unknown): string {
  if (column instanceof Uint8Array) return decoder.decode(column);
  if (column instanceof ArrayBuffer) return decoder.decode(new Uint8Array(column));
  throw new TypeError(
    `${who}: expected a byte column, got ${typeof column}: was the table created by migrate()?`,
  );
}
