/**
 * The micro-benchmarks of `pnpm bench`: the engine's steps in process
 * (validate, create, regenerate, unseal cold and cached, verify an access
 * token, rotate a refresh token) beside the floors measured in the same run
 * (SHA-256, a Map lookup, one WebCrypto AES-GCM decrypt, one jose JWE decrypt).
 * Every case runs once per round; the table gives the median of the rounds with min–max.
 */

import { Bench } from 'tinybench';
import type { Case } from './case.js';
import { handlerCases } from './fetch-handler.js';
import { floorCases } from './floors.js';
import { median } from './http/summary.js';
import { rows, type Row } from './report.js';
import { sessionCases } from './session-ops.js';
import { sqlCases } from './sql-store.js';
import { tokenCases } from './token-ops.js';

export interface MicroRow {
  name: string;
  floor?: string;
  opsPerSecond: { median: number; min: number; max: number };
  /** Median ops/s ÷ the floor's median ops/s. */
  ratio?: number;
}

export async function runMicro(settings: { time: number; rounds: number }): Promise<MicroRow[]> {
  const cases: Case[] = [
    ...floorCases(),
    ...(await sessionCases()),
    ...(await tokenCases()),
    ...(await handlerCases()),
    ...(await sqlCases()),
  ];
  const seen = new Map<string, Row[]>();
  for (let round = 0; round < settings.rounds; round++) {
    const bench = new Bench({
      time: settings.time,
      warmupTime: Math.min(100, settings.time / 2),
      throws: true,
    });
    for (const c of cases) bench.add(c.name, c.fn, c.afterEach ? { afterEach: c.afterEach } : {});
    await bench.run();
    for (const row of rows(bench, cases)) seen.set(row.name, [...(seen.get(row.name) ?? []), row]);
  }
  const out = cases.map((c): MicroRow => {
    const ops = seen.get(c.name)!.map((r) => r.opsPerSecond);
    return {
      name: c.name,
      ...(c.floor ? { floor: c.floor } : {}),
      opsPerSecond: { median: median(ops), min: Math.min(...ops), max: Math.max(...ops) },
    };
  });
  const byName = new Map(out.map((r) => [r.name, r]));
  for (const r of out) {
    const f = r.floor ? byName.get(r.floor) : undefined;
    if (f) r.ratio = r.opsPerSecond.median / f.opsPerSecond.median;
  }
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The micro table, markdown. */
export function microTable(list: MicroRow[]): string {
  const lines = [
    '| operation | ops/s median (min–max) | µs/op | share of floor | floor |',
    '|---|---|---|---|---|',
  ];
  for (const r of list)
    lines.push(
      `| ${r.name} | ${fmt(r.opsPerSecond.median)} (${fmt(r.opsPerSecond.min)}–${fmt(r.opsPerSecond.max)}) | ${(1e6 / r.opsPerSecond.median).toFixed(3)} | ${r.ratio === undefined ? '(floor)' : r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2)} | ${r.floor ?? ''} |`,
    );
  return lines.join('\n');
}
