/**
 * The race suite inside workerd, through miniflare, on `durableObjectStore`
 * (real Durable Object storage, every operation a fetch to the object): the
 * cases run in the Worker (worker-entry.ts) and report JSON; each is one
 * vitest test here, so a failure names the race. Time is the injected
 * ManualClock, whose `now` the object judges every deadline on.
 */
import { readFile } from 'node:fs/promises';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, root } from '../runtimes/harness.js';
import type { CaseResult } from '../runtimes/report.js';
import { raceCases } from './race-cases.js';

let mf: Miniflare | undefined;
let cleanup: () => Promise<void> = async () => {};
let races: CaseResult[];

beforeAll(async () => {
  const bundled = await bundle(`${root}test/races/worker-entry.ts`, { platform: 'browser' });
  cleanup = bundled.cleanup;
  mf = new Miniflare({
    modules: true,
    script: await readFile(bundled.outfile, 'utf8'),
    compatibilityDate: '2025-01-01',
    durableObjects: { DO: 'LatchkeySessionsDO' },
  });
  const response = await mf.dispatchFetch('http://localhost/races');
  if (!response.ok) throw new Error(`/races: ${response.status} ${await response.text()}`);
  races = (await response.json()) as CaseResult[];
});
afterAll(async () => {
  await mf?.dispose();
  await cleanup();
});

const outcome = (name: string) => {
  const r = races.find((x) => x.name === name);
  return r ? (r.passed ? 'passed' : r.error) : 'not run';
};

describe('races on the Durable Object store in workerd', () => {
  it('ran every race case and nothing else', () => {
    expect(races.map((r) => r.name).sort()).toEqual(raceCases.map((c) => c.name).sort());
  });
  for (const c of raceCases) it(c.name, () => expect(outcome(c.name)).toBe('passed'));
});
