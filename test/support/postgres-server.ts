/**
 * A throwaway PostgreSQL cluster for tests: Debian's `initdb` and `pg_ctl`
 * in a temp dir, on a free loopback port, fsync off, run as the `postgres`
 * OS user when we are root (PostgreSQL refuses to run as root). Stopped and
 * removed afterwards; never a system PostgreSQL service. `.ci/run` installs
 * Debian's `postgresql` when it is missing.
 */

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  readonly url: string;
  /** The URL of another database on this server, e.g. one made with `CREATE DATABASE`. */
  urlOf(database: string): string;
  /** Stop the server at once (`pg_ctl stop -m immediate`: as abrupt as a crash), keeping its data. */
  kill(): Promise<void>;
  /** Start a killed server again on the same port with the same data. */
  restart(): Promise<void>;
  /** Freeze the server and every backend (SIGSTOP): connections stay open and nothing answers. */
  pause(): Promise<void>;
  /** Let a paused server run again (SIGCONT). */
  resume(): Promise<void>;
  /** Stop the server and remove its directory. */
  stop(): Promise<void>;
}

/** The directory of the newest installed PostgreSQL's `initdb` and `pg_ctl`; `PG_BIN` overrides it. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does this), or set PG_BIN to the directory holding initdb and pg_ctl',
    );
  }
  return join(base, versions[0]!, 'bin');
}

/** Who runs the cluster: ourselves, or the `postgres` OS user when we are root. */
function runner(): { uid: number; gid: number; wrap: (cmd: string, args: string[]) => string[] } {
  const self = process.getuid?.() ?? 0;
  if (self !== 0) {
    const gid = process.getgid?.() ?? 0;
    return { uid: self, gid, wrap: (cmd, args) => [cmd, ...args] };
  }
  let ids: string[];
  try {
    ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/);
    ids.push(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch (cause) {
    throw new Error(
      "no 'postgres' OS user to run PostgreSQL as (it refuses root): apt-get install -y postgresql creates it",
      { cause },
    );
  }
  return {
    uid: Number(ids[0]),
    gid: Number(ids[1]),
    wrap: (cmd, args) => ['runuser', '-u', 'postgres', '--', cmd, ...args],
  };
}

async function exec(argv: string[]): Promise<void> {
  try {
    await run(argv[0]!, argv.slice(1), { timeout: 60_000 });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${e.stderr || e.stdout || e.message}`, {
      cause: error,
    });
  }
}

/**
 * Create a cluster in a fresh temp dir and start it on a free loopback port.
 * Takes about a second (initdb without fsync).
 *
 * @example
 * let pg: PostgresServer;
 * beforeAll(async () => { pg = await startPostgres(); });
 * afterAll(() => pg?.stop());
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const who = runner();
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-pg-'));
  await chown(dir, who.uid, who.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await exec(
      who.wrap(join(bin, 'initdb'), [
        '-D',
        data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ]),
    );
  } catch (error) {
    await cleanup();
    throw error;
  }

  let port = 0;
  const pgCtlArgv = (args: string[]) => who.wrap(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const pgCtl = (args: string[]) => exec(pgCtlArgv(args));
  const start = () =>
    pgCtl([
      '-l',
      log,
      '-w',
      '-t',
      '60',
      '-o',
      // The socket lives in our own dir, not /var/run/postgresql (which may not exist). fsync off
      // loses data only if the OS crashes; synchronous_commit stays on, so kill() loses no commit.
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off`,
      'start',
    ]);
  const kill = async () => {
    if (existsSync(join(data, 'postmaster.pid'))) await pgCtl(['-m', 'immediate', '-w', 'stop']);
  };
  /** The postmaster and its children (backends, background workers). */
  const processes = async (): Promise<number[]> => {
    const postmaster = Number(
      (await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    // Children from /proc (field 4 of stat is the parent), so no procps is needed.
    const children: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) children.push(Number(entry));
    }
    return [postmaster, ...children];
  };
  const signal = async (name: 'SIGSTOP' | 'SIGCONT') => {
    for (const pid of await processes()) process.kill(pid, name);
  };
  // A crashed test run must not leave a server behind.
  const onExit = () => {
    try {
      const argv = pgCtlArgv(['-m', 'immediate', 'stop']);
      execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    } catch {
      // already stopped
    }
  };

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort();
    try {
      await start();
      process.once('exit', onExit);
      const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
      return {
        port,
        url: url('postgres'),
        urlOf: url,
        kill,
        restart: start,
        pause: () => signal('SIGSTOP'),
        resume: () => signal('SIGCONT'),
        async stop() {
          process.off('exit', onExit);
          try {
            await kill();
          } finally {
            await cleanup();
          }
        },
      };
    } catch (error) {
      // Most likely someone took the port between freePort and the bind: try another.
      const serverLog = await readFile(log, 'utf8').catch(() => '');
      lastError = new Error(`PostgreSQL did not start on port ${port}: ${serverLog.trim()}`, {
        cause: error,
      });
      await kill().catch(() => {});
    }
  }
  await cleanup();
  throw lastError;
}
