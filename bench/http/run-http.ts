/**
 * The HTTP half of `pnpm bench`: one server process pinned to core 0 runs
 * every app; this process (pinned to core 1) drives autocannon at each in
 * turn, warm-up first, in interleaved rounds, and reads the store traffic
 * (Redis `INFO commandstats`, counted SQL queries) around each measured run.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../bundle.js';
import type { AppEnv } from './apps/env.js';
import type { Started } from './apps/serve.js';
import { CONTENDERS, type Contender } from './contenders.js';
import { measure, setsCookie, warmUp, type Run } from './load.js';
import { commandStats, pin, startBackends } from './services.js';

export interface HttpSettings {
  rounds: number;
  /** Seconds of each measured run. */
  seconds: number;
  /** Seconds of warm-up before each measured run. */
  warmup: number;
  only?: RegExp;
  serverCore: number;
  loadCore: number;
  log: (line: string) => void;
}

export interface HttpResult extends Contender {
  runs: Run[];
  setCookie: boolean | null;
  /** Store round trips per request, by command (Redis) or `queries` (SQL). */
  traffic?: Record<string, number>;
}

function startServer(
  server: string,
  ids: string[],
  env: AppEnv,
  core: number,
): Promise<{ child: ChildProcess; started: Record<string, Started> }> {
  const child = fork(server, [], {
    env: {
      ...process.env,
      BENCH_SERVER_APPS: ids.join(','),
      BENCH_SERVER_ENV: JSON.stringify(env),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  pin(child.pid!, core);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`bench server exited (${code}) before it was ready`)),
    );
    child.on(
      'message',
      (m: { type: string; started?: Record<string, Started>; message?: string }) => {
        if (m.type === 'ready') resolve({ child, started: m.started! });
        if (m.type === 'failed') reject(new Error(m.message));
      },
    );
  });
}

function counters(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const on = (m: { type: string; counters?: Record<string, number> }) => {
      if (m.type !== 'counters') return;
      child.off('message', on);
      resolve(m.counters!);
    };
    child.on('message', on);
    child.send({ type: 'counters' });
  });
}

/** Every runnable row, measured `settings.rounds` times in interleaved rounds. */
export async function runHttp(settings: HttpSettings): Promise<HttpResult[]> {
  const { log } = settings;
  const wanted = CONTENDERS.filter(
    (c) =>
      c.kind === 'baseline' ||
      !settings.only ||
      settings.only.test(c.id) ||
      settings.only.test(c.label),
  );
  const runnable = wanted.filter((c) => !c.unavailable);
  // A floor or baseline some wanted row is compared with always runs too.
  const ids = new Set(runnable.map((c) => c.id));
  for (const c of runnable) if (c.floor) ids.add(c.floor);
  const rows = CONTENDERS.filter((c) => ids.has(c.id) || (c.unavailable && wanted.includes(c)));
  const live = rows.filter((c) => !c.unavailable);

  const backends = await startBackends(
    new Set(live.flatMap((c) => (c.needs ? [c.needs] : []))),
    settings.loadCore,
  );
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  let server: ChildProcess | undefined;
  try {
    const env: AppEnv = { dir, redisUrl: backends.redis?.url, postgresUrl: backends.postgres?.url };
    const t0 = performance.now();
    log(`starting ${live.length} apps in one server process on core ${settings.serverCore}…`);
    const { child, started } = await startServer(
      await bundle('./http/server.ts'),
      live.map((c) => c.id),
      env,
      settings.serverCore,
    );
    server = child;
    log(`apps ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await backends.pinPostgres(settings.loadCore);
    const results = new Map<string, HttpResult>(
      rows.map((c) => [c.id, { ...c, runs: [], setCookie: null }]),
    );
    const traffic = new Map<string, { requests: number; calls: Map<string, number> }>();
    for (let round = 0; round < settings.rounds; round++) {
      // Each round starts at a different row, so slow drift on a shared machine favours none.
      const shift = Math.floor((round * live.length) / settings.rounds);
      const order = [...live.slice(shift), ...live.slice(0, shift)];
      for (const c of order) {
        const { port, request } = started[c.id]!;
        await warmUp(port, request, settings.warmup);
        const result = results.get(c.id)!;
        const sets = await setsCookie(port, request);
        if (round === 0) result.setCookie = sets;
        if (c.kind !== 'latchkey' && c.kind !== 'peer' && !c.needs && c.id !== 'floor-sqlite') {
          result.runs.push(await measure(port, request, settings.seconds, child.pid!));
        } else {
          const redis0 = backends.redis ? await commandStats(backends.redis.client) : null;
          const sql0 = await counters(child);
          const run = await measure(port, request, settings.seconds, child.pid!);
          result.runs.push(run);
          const seen = traffic.get(c.id) ?? { requests: 0, calls: new Map<string, number>() };
          seen.requests += run.requests;
          const add = (name: string, n: number) =>
            seen.calls.set(name, (seen.calls.get(name) ?? 0) + n);
          if (redis0) {
            for (const [name, calls] of await commandStats(backends.redis!.client))
              if (name !== 'info') add(name, calls - (redis0.get(name) ?? 0));
          }
          const sql1 = await counters(child);
          if (sql1[c.id] !== undefined) add('queries', sql1[c.id]! - (sql0[c.id] ?? 0));
          traffic.set(c.id, seen);
        }
        const last = result.runs.at(-1)!;
        log(
          `round ${round + 1}/${settings.rounds}  ${c.id.padEnd(24)} ${Math.round(last.rps).toString().padStart(6)} req/s  p99 ${last.p99} ms  server CPU ${last.serverCpu.toFixed(2)}${last.non2xx || last.errors ? `  non-2xx ${last.non2xx} errors ${last.errors}` : ''}`,
        );
      }
    }
    for (const [id, seen] of traffic) {
      if (seen.calls.size === 0) continue;
      const perRequest: Record<string, number> = {};
      for (const [name, calls] of seen.calls)
        if (calls > 0) perRequest[name] = calls / seen.requests;
      const c = results.get(id)!;
      if (c.needs === 'redis' || perRequest.queries !== undefined) c.traffic = perRequest;
    }
    return [...results.values()];
  } finally {
    server?.kill('SIGKILL');
    await backends.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
