/**
 * The race cases (race-cases.ts) registered with vitest, one suite per store
 * and one test per case, so a failure names the race and the store. Deno and
 * workerd run the same cases through `runRaceCases` (deno.test.ts, workers.test.ts).
 */

import { describe, it } from 'vitest';
import { raceCases, type RaceStoreFactory } from './race-cases.js';

export type { RaceStore, RaceStoreFactory } from './race-cases.js';

/** Register every race case for the store `open` makes. */
export function raceSuite(name: string, open: RaceStoreFactory) {
  describe(`races on ${name}`, () => {
    for (const c of raceCases) it(c.name, () => c.run(open));
  });
}
