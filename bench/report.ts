/**
 * Turns tinybench results into the printed table: ops/s per operation, and
 * the ratio to the case's floor measured in the same run (ops/s ÷ floor
 * ops/s; 1 means as fast as the floor, 0.1 means a tenth of its throughput).
 */

import type { Bench } from 'tinybench';
import type { Case } from './case.js';

export interface Row {
  name: string;
  opsPerSecond: number;
  /** Relative margin of error of the mean, in percent. */
  rme: number;
  floor?: string;
}

/** Ops/s per operation for each case; a task that failed stops the run with its error. */
export function rows(bench: Bench, cases: Case[]): Row[] {
  return cases.map((c) => {
    const task = bench.getTask(c.name);
    const result = task?.result;
    if (!result || result.state === 'errored')
      throw new Error(`bench "${c.name}" failed`, {
        cause: result && 'error' in result ? result.error : undefined,
      });
    if (result.state !== 'completed')
      throw new Error(`bench "${c.name}" did not complete (${result.state})`);
    return {
      name: c.name,
      opsPerSecond: ((c.opsPerCall ?? 1) * 1000) / result.period,
      rme: result.latency.rme,
      ...(c.floor ? { floor: c.floor } : {}),
    };
  });
}

const fmtOps = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtRatio = (r: number) => (r >= 0.1 ? r.toFixed(2) : r.toPrecision(2));

/** The table as lines of text. */
export function table(all: Row[]): string {
  const byName = new Map(all.map((r) => [r.name, r]));
  const head = ['operation', 'ops/s', 'µs/op', '±%', 'ratio to floor', 'floor'];
  const body = all.map((r) => {
    const floor = r.floor ? byName.get(r.floor) : undefined;
    return [
      r.name,
      fmtOps(r.opsPerSecond),
      (1e6 / r.opsPerSecond).toFixed(3),
      r.rme.toFixed(1),
      floor ? fmtRatio(r.opsPerSecond / floor.opsPerSecond) : '(floor)',
      r.floor ?? '',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const right = new Set([1, 2, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The ratio of two rows' throughput. */
export function ratio(all: Row[], name: string, of: string): number {
  const a = all.find((r) => r.name === name);
  const b = all.find((r) => r.name === of);
  if (!a || !b) throw new Error(`no row ${a ? of : name}`);
  return a.opsPerSecond / b.opsPerSecond;
}
