/**
 * The floors: the least work any server-side session lookup must do, measured
 * in the same run as the real operations so ratios, not absolute numbers,
 * carry across machines. One SHA-256 of a 32-byte ID with @noble/hashes (the
 * store key is the hash of the cookie's ID) and one Map lookup (an in-memory
 * store's read).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { sink, type Case } from './case.js';

export const SHA256_FLOOR = 'sha256 of a 32-byte ID';
export const MAP_FLOOR = 'Map lookup';

export function floorCases(): Case[] {
  const id = crypto.getRandomValues(new Uint8Array(32));
  // 1024 live keys shaped like store keys (prefix + 43-character hash), looked up in turn.
  const keys = Array.from(
    { length: 1024 },
    () => `lk:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`,
  );
  const map = new Map(keys.map((k, i) => [k, `{"v":${i}}`]));
  const lookups = 1000;
  let next = 0;
  return [
    {
      name: SHA256_FLOOR,
      opsPerCall: 100,
      fn: () => {
        let last: Uint8Array = id;
        for (let i = 0; i < 100; i++) last = sha256(id);
        sink.value = last;
      },
    },
    {
      name: MAP_FLOOR,
      opsPerCall: lookups,
      fn: () => {
        let found = 0;
        for (let i = 0; i < lookups; i++) if (map.get(keys[next++ & 1023]!) !== undefined) found++;
        sink.value = found;
      },
    },
  ];
}
