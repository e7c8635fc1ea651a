/**
 * The monitor's structured log line: one JSON object per event, with the
 * anomalies it revealed. Events carry public handles only; the client's
 * address is replaced by a salted hash, so the line can go to any pipeline.
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';
import type { SessionEvent } from '../events.js';
import type { Anomaly } from './anomaly-rules.js';

const encoder = new TextEncoder();

/** Where log lines go: a function given each line, or anything with `write` (a stream gets a newline after each). */
export type LogTarget = ((line: string) => void) | { write(chunk: string): unknown };

/** The longest store-error message kept in a line: a driver's message is for a person, not a payload. */
const MESSAGE_MAX = 300;

/**
 * A keyed hash (HMAC-SHA256, 128 bits, base64url): the same value always
 * gives the same key under one salt, and nobody without the salt can test a guess.
 *
 * @example
 * const key = saltedHash(salt);
 * key('203.0.113.9'); // 'q3v…' (22 characters)
 */
export function saltedHash(salt: Uint8Array): (value: string) => string {
  return (value) => base64url.encode(hmac(sha256, salt, encoder.encode(value)).slice(0, 16));
}

/**
 * The line for one event: its fields, the client hashed, and the anomalies' kinds and messages.
 *
 * @example
 * logLine({ type: 'logout', at, handle, userId: 'ada' }, [], key); // '{"time":"…","event":"logout",…}'
 */
export function logLine(
  event: SessionEvent,
  anomalies: readonly Anomaly[],
  clientKey: (client: string) => string,
): string {
  const fields: Record<string, unknown> = { ...event };
  if (event.type === 'validation-failed' && event.client !== undefined)
    fields.client = clientKey(event.client);
  if (event.type === 'store-error') fields.message = event.message.slice(0, MESSAGE_MAX);
  const line: Record<string, unknown> = {
    time: new Date(event.at).toISOString(),
    event: event.type,
    ...fields,
  };
  delete line.type;
  if (anomalies.length > 0)
    line.anomalies = anomalies.map((a) => ({
      kind: a.kind,
      subject: a.subject,
      message: a.message,
    }));
  return JSON.stringify(line);
}

/** Write one line to `target`; a broken log must not break the monitor. */
export function writeLine(target: LogTarget | undefined, line: string): void {
  if (!target) return;
  try {
    if (typeof target === 'function') target(line);
    else target.write(`${line}\n`);
  } catch {
    // Logging is best effort, like every event sink.
  }
}
