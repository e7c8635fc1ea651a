/**
 * Turns one round of tinybench results into rows: ops/s per operation, the
 * floor each case is compared with (micro.ts takes the median of the rounds).
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
