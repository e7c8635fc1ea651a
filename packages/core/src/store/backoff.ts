/**
 * Jittered exponential backoff for compare-and-set retries: the first retry
 * is immediate, later ones wait a random time up to a doubling cap, so many
 * writers racing on one key spread out instead of colliding again.
 */

import type { RandomSource } from '../random.js';

/** Longest single wait between two attempts, in milliseconds. */
const CAP_MS = 100;

/** Milliseconds to wait before retry `attempt` (0-based): 0, then up to 2, 4, 8 … 100 ms, at random. */
export function retryDelay(attempt: number, random: RandomSource): number {
  if (attempt === 0) return 0;
  const cap = Math.min(CAP_MS, 2 ** attempt);
  const [byte = 0] = random(1);
  return Math.round((byte / 255) * cap);
}

/** Wait `ms` milliseconds; zero yields to the event loop only. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
