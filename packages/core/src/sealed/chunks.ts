/**
 * Cookie chunking for sealed sessions: every whole Set-Cookie line, attributes
 * included, stays within 4096 octets (RFC 6265bis §5.6, ASVS V3.3.5), or the
 * value is refused, as configured.
 */

import { parseCookieHeader } from '../cookie/parse.js';
import {
  deletionCookie,
  MAX_COOKIE_SIZE,
  serializeCookie,
  type CookieAttributes,
} from '../cookie/serialize.js';
import { CookieError } from '../errors.js';

/** `split`: numbered chunks; `refuse`: a `CookieError` when a sealed session does not fit in one cookie. */
export type Chunking = 'split' | 'refuse';

/** What a request carried under one cookie name. */
export interface ChunkedRead {
  /** The reassembled value, or `undefined`. */
  value: string | undefined;
  /** Whether the unnumbered cookie was present. */
  plain: boolean;
  /** Numbered chunks present (`name.0` …), whether or not they formed a value. */
  chunks: number;
}

const chunkName = (name: string, i: number) => `${name}.${i}`;

/** Read `name`, or `name.0` … `name.(n-1)` reassembled. Never throws; reads at most `maxChunks` chunks. */
export function readChunked(header: string | null, name: string, maxChunks: number): ChunkedRead {
  const jar = parseCookieHeader(header, {
    maxLength: (maxChunks + 2) * MAX_COOKIE_SIZE,
    maxPairs: 100,
  });
  const plainValue = jar.get(name);
  let chunks = 0;
  const parts: string[] = [];
  while (chunks < maxChunks + 1 && jar.has(chunkName(name, chunks)))
    parts.push(jar.get(chunkName(name, chunks++))!);
  if (plainValue !== undefined && plainValue !== '')
    return { value: plainValue, plain: true, chunks };
  const value =
    chunks > 0 && chunks <= maxChunks && parts.every((p) => p !== '') ? parts.join('') : undefined;
  return { value, plain: plainValue !== undefined, chunks };
}

/**
 * Set-Cookie lines that store `value` under `name` (replacing what `previous`
 * had), each at most 4096 bytes with its attributes.
 *
 * @throws CookieError when the value does not fit and chunking is `refuse`, or needs more than `maxChunks` chunks.
 */
export function writeChunked(
  name: string,
  value: string,
  attributes: CookieAttributes,
  now: number,
  previous: ChunkedRead,
  options: { chunking: Chunking; maxChunks: number },
): string[] {
  const single = serializeCookie(name, '', attributes, now).length + value.length;
  const lines: string[] = [];
  if (single <= MAX_COOKIE_SIZE) {
    lines.push(serializeCookie(name, value, attributes, now));
    for (let i = 0; i < previous.chunks; i++)
      lines.push(deletionCookie(chunkName(name, i), attributes));
    return lines;
  }
  if (options.chunking === 'refuse') {
    throw new CookieError(
      `sealed session cookie "${name}" would be ${single} bytes with its attributes, over the ${MAX_COOKIE_SIZE}-byte limit ` +
        `(RFC 6265bis §5.6, ASVS V3.3.5); keep less data in the session, or configure chunking: 'split'`,
    );
  }
  // The widest chunk name sets the per-chunk room (names grow a digit at 10 chunks).
  const overhead = serializeCookie(chunkName(name, options.maxChunks), '', attributes, now).length;
  const room = MAX_COOKIE_SIZE - overhead;
  const count = Math.ceil(value.length / room);
  if (room <= 0 || count > options.maxChunks) {
    throw new CookieError(
      `sealed session cookie "${name}" needs ${count} chunks of at most ${MAX_COOKIE_SIZE} bytes, over the configured maxChunks (${options.maxChunks}); ` +
        'keep less data in the session',
    );
  }
  for (let i = 0; i < count; i++)
    lines.push(
      serializeCookie(chunkName(name, i), value.slice(i * room, (i + 1) * room), attributes, now),
    );
  for (let i = count; i < previous.chunks; i++)
    lines.push(deletionCookie(chunkName(name, i), attributes));
  if (previous.plain) lines.push(deletionCookie(name, attributes));
  return lines;
}

/** Set-Cookie lines deleting every cookie `previous` found (or at least the unnumbered one). */
export function clearChunked(
  name: string,
  attributes: CookieAttributes,
  previous: ChunkedRead,
): string[] {
  const lines = [deletionCookie(name, attributes)];
  for (let i = 0; i < previous.chunks; i++)
    lines.push(deletionCookie(chunkName(name, i), attributes));
  return lines;
}
