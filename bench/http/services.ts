/**
 * The backends some rows need, started for the run and pinned to the load
 * generator's core so they never take the server's: a throwaway redis-server
 * and PostgreSQL cluster (the test suite's own starters), and Redis's
 * `INFO commandstats` read around each measured run.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../test/support/postgres-server.js';
import { startRedis, type RedisServer } from '../../test/support/redis-server.js';

/** Pin every thread of `pid` to `core` (taskset from util-linux). */
export function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
}

export interface Backends {
  redis?: RedisServer & { client: Redis };
  postgres?: PostgresServer;
  /** Pin the PostgreSQL server (postmaster and backends) to `core`; new backends inherit it. */
  pinPostgres(core: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBackends(needs: Set<string>, core: number): Promise<Backends> {
  let redis: Backends['redis'];
  let postgres: PostgresServer | undefined;
  if (needs.has('redis')) {
    const server = await startRedis();
    const client = new Redis(server.url);
    const info = await client.info('server');
    pin(Number(/process_id:(\d+)/.exec(info)![1]), core);
    redis = Object.assign(server, { client });
  }
  if (needs.has('postgres')) postgres = await startPostgres();
  return {
    redis,
    postgres,
    async pinPostgres(pgCore) {
      if (!postgres) return;
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity');
      await client.end();
      const pids = new Set(rows.map((r) => r.pid));
      for (const pid of [...pids]) {
        try {
          const status = readFileSync(`/proc/${pid}/status`, 'utf8');
          pids.add(Number(/PPid:\s*(\d+)/.exec(status)![1]));
        } catch {
          // a backend that ended meanwhile (this query's own, say)
        }
      }
      for (const pid of pids) {
        try {
          pin(pid, pgCore);
        } catch {
          // a backend that ended meanwhile
        }
      }
    },
    async stop() {
      await redis?.client.quit().catch(() => {});
      await redis?.stop();
      await postgres?.stop();
    },
  };
}

/** Calls per command so far, from `INFO commandstats` (our own INFO calls excluded by the caller's arithmetic). */
export async function commandStats(client: Redis): Promise<Map<string, number>> {
  const text = await client.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}
