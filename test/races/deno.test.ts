/**
 * The race suite inside the real Deno binary on `denoKvStore` (Deno KV
 * `:memory:`): the cases run in Deno (deno-entry.ts) and report JSON; each is
 * one vitest test here, so a failure names the race. Time is the injected
 * ManualClock, which the store judges every value's deadline on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, bundle, readReport, root, run } from '../runtimes/harness.js';
import type { CaseResult } from '../runtimes/report.js';
import { raceCases } from './race-cases.js';

let report: { races: CaseResult[] };
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const bundled = await bundle(`${root}test/races/deno-entry.ts`);
  cleanup = bundled.cleanup;
  report = readReport(await run(bin('deno'), ['run', '--quiet', '--unstable-kv', bundled.outfile]));
});
afterAll(() => cleanup());

const outcome = (name: string) => {
  const r = report.races.find((x) => x.name === name);
  return r ? (r.passed ? 'passed' : r.error) : 'not run';
};

describe('races on Deno KV in Deno', () => {
  it('ran every race case and nothing else', () => {
    expect(report.races.map((r) => r.name).sort()).toEqual(raceCases.map((c) => c.name).sort());
  });
  for (const c of raceCases) it(c.name, () => expect(outcome(c.name)).toBe('passed'));
});
