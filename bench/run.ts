/**
 * `pnpm bench`: what a session costs on the request path, as ratios to floors
 * measured in the same run (absolute numbers vary with the machine; the
 * ratios travel). Cases live in floors.ts, session-ops.ts, token-ops.ts,
 * fetch-handler.ts and sql-store.ts; report.ts prints them. No test asserts on these numbers.
 *
 * Every case runs in each of ROUNDS rounds and keeps its best round: on a
 * shared machine other processes only ever slow a case down, so the best
 * round is the closest to its real cost, and a floor and the operations
 * compared with it are treated alike. About 15 s in all; `BENCH_TIME` (ms
 * per case per round, default 400) and `BENCH_ROUNDS` (default 3) trade
 * time for precision.
 */

import os from 'node:os';
import { Bench } from 'tinybench';
import type { Case } from './case.js';
import { AUTHENTICATED_READ, BARE_HANDLER, handlerCases } from './fetch-handler.js';
import { floorCases } from './floors.js';
import { ratio, rows, table, type Row } from './report.js';
import { sessionCases } from './session-ops.js';
import { MEMORY_LOGIN, MEMORY_READ, SQLITE_LOGIN, SQLITE_READ, sqlCases } from './sql-store.js';
import { tokenCases } from './token-ops.js';

const time = Number(process.env.BENCH_TIME ?? 400);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const cases: Case[] = [
  ...floorCases(),
  ...(await sessionCases()),
  ...(await tokenCases()),
  ...(await handlerCases()),
  ...(await sqlCases()),
];

console.log(
  `Latchkey bench: Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model.trim() ?? ''} (load average ${os.loadavg()[0]!.toFixed(1)}), MemoryStore, best of ${rounds} rounds of ${time} ms per case\n`,
);

const best = new Map<string, Row>();
for (let round = 0; round < rounds; round++) {
  const bench = new Bench({ time, warmupTime: 100, throws: true });
  for (const c of cases) bench.add(c.name, c.fn, c.afterEach ? { afterEach: c.afterEach } : {});
  await bench.run();
  for (const row of rows(bench, cases)) {
    const seen = best.get(row.name);
    if (!seen || row.opsPerSecond > seen.opsPerSecond) best.set(row.name, row);
  }
}
const results = cases.map((c) => best.get(c.name)!);

console.log(table(results));
console.log(
  `\n${AUTHENTICATED_READ} vs ${BARE_HANDLER}: ${ratio(results, AUTHENTICATED_READ, BARE_HANDLER).toFixed(2)} of its throughput (in process, no HTTP)`,
);
for (const [sql, memory] of [
  [SQLITE_READ, MEMORY_READ],
  [SQLITE_LOGIN, MEMORY_LOGIN],
] as const) {
  console.log(`${sql}: ${ratio(results, sql, memory).toFixed(2)} of the MemoryStore's throughput`);
}
