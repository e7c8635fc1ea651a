/**
 * `pnpm bench`: what a session costs, beside the session libraries people use
 * today and beside hand-written floors, all measured in the same run; prints
 * the tables and writes bench/results/latest.md and latest.json. Ratios, not
 * absolute numbers, carry across machines. No test asserts on these numbers.
 *
 * `--quick` (a few seconds per scenario; CI runs it to prove the bench runs),
 * `--only=<regex>` (HTTP rows by id or label, with their baselines and floors),
 * `--no-micro`, `--no-http`. BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP, BENCH_TIME
 * override the settings; BENCH_RESULTS_DIR writes the results elsewhere.
 */

import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS } from './http/load.js';
import { runHttp } from './http/run-http.js';
import { pin } from './http/services.js';
import { httpTable, summarize, targetList, targets } from './http/summary.js';
import { bundle } from './bundle.js';
import { microTable, type MicroRow } from './micro.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  rounds: env('BENCH_ROUNDS', quick ? 1 : 3),
  seconds: env('BENCH_SECONDS', quick ? 1 : 3),
  warmup: env('BENCH_WARMUP', quick ? 0.1 : 1),
  microTime: env('BENCH_TIME', quick ? 50 : 400),
};
const cores = os.cpus().length;
const SERVER_CORE = 0;
const LOAD_CORE = cores > 1 ? 1 : 0;

// This process is the load generator: it keeps to its own core, the server gets the other.
pin(process.pid, LOAD_CORE);
const loadBefore = os.loadavg();
const machine = `Node ${process.version}, ${cores} CPU(s) ${os.cpus()[0]?.model.trim() ?? ''}, ${os.platform()} ${os.release()}`;
const how = `${settings.rounds} interleaved round(s); HTTP: server pinned to core ${SERVER_CORE}, autocannon (${CONNECTIONS} connections) on core ${LOAD_CORE}, ${settings.warmup} s warm-up then ${settings.seconds} s per row per round over 127.0.0.1; micro: ${settings.microTime} ms per case per round${quick ? ' (--quick: proves the bench runs, numbers are rough)' : ''}`;
console.log(
  `Latchkey bench: ${machine}\nload average at start ${loadBefore.map((l) => l.toFixed(2)).join(' ')}\n${how}\n`,
);
if (cores < 2)
  console.log('(one CPU: server and load generator share it, so the HTTP ratios are rough)\n');

const started = performance.now();
const log = (line: string) =>
  console.log(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`);
/** The micro-benchmarks, bundled, in a child process on the server's (still idle) core. */
async function micro(): Promise<MicroRow[]> {
  const child = fork(await bundle('./micro-child.ts'), [], {
    env: {
      ...process.env,
      BENCH_MICRO: JSON.stringify({ time: settings.microTime, rounds: settings.rounds }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  pin(child.pid!, SERVER_CORE);
  return new Promise((resolve, reject) => {
    child.once('message', (m: { rows: MicroRow[] }) => resolve(m.rows));
    child.once('exit', (code) =>
      reject(new Error(`micro-benchmarks exited (${code}) without results`)),
    );
  });
}
const microRows = args.includes('--no-micro') ? [] : await micro();
if (microRows.length > 0) console.log(`\n${microTable(microRows)}\n`);

const http = args.includes('--no-http')
  ? []
  : summarize(
      await runHttp({
        rounds: settings.rounds,
        seconds: settings.seconds,
        warmup: settings.warmup,
        ...(only ? { only: new RegExp(only) } : {}),
        serverCore: SERVER_CORE,
        loadCore: LOAD_CORE,
        log,
      }),
    );
const goals = targets(http);
const loadAfter = os.loadavg();
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();

const md = [
  `# Latchkey bench results`,
  '',
  `${machine}; commit ${commit}; ${new Date().toISOString()}`,
  `Load average at start ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAfter.map((l) => l.toFixed(2)).join(' ')}.`,
  how + '.',
  '',
  ...(http.length > 0
    ? [
        '## HTTP: share of the bare baseline measured in the same run',
        '',
        'Server CPU is the server process\'s CPU seconds per wall second over the measured run: near 1.00 the server was CPU-bound and "added µs/req" is what the row costs on the request path; well below 1.00 it waited (on a store, or on the load generator) and only req/s holds.',
        '',
        httpTable(http),
        '',
        '## Targets (issue 11)',
        '',
        targetList(goals),
        '',
      ]
    : []),
  ...(microRows.length > 0
    ? ['## Micro-benchmarks (in process)', '', microTable(microRows), '']
    : []),
].join('\n');

if (http.length > 0) console.log(`\n${httpTable(http)}\n\n${targetList(goals)}\n`);
console.log(`load average at end ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);

const dir = process.env.BENCH_RESULTS_DIR
  ? `${process.env.BENCH_RESULTS_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const name = quick ? 'quick' : 'latest';
writeFileSync(`${dir}${name}.md`, md);
writeFileSync(
  `${dir}${name}.json`,
  JSON.stringify(
    {
      machine,
      commit,
      date: new Date().toISOString(),
      loadBefore,
      loadAfter,
      settings: { ...settings, quick, only },
      http,
      targets: goals,
      micro: microRows,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${dir}${name}.md and ${name}.json`);
