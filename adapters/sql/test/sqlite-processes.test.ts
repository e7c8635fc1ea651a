/**
 * Two Node processes sharing one SQLite file: each consumes the same keys in
 * its own random order, at the same time, and every key's value goes to
 * exactly one of them (consume-once across processes, through SQLite's file
 * lock and DELETE … RETURNING).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { sqliteStore } from '../src/libsql.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const worker = fileURLToPath(new URL('./support/consume-worker.ts', import.meta.url));
// Enough that neither process can finish before the other starts, even on a loaded machine.
const KEYS = 2000;

let dir: string | undefined;
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

function startWorker(url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    cwd: root,
    env: { ...process.env, DB_URL: url, KEYS: String(KEYS), TSX_TSCONFIG_PATH: 'tsconfig.json' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) early: ${err}`)));
  });
  const result = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited with ${code}: ${err}`));
      resolve(JSON.parse(out.slice('ready\n'.length)) as string[]);
    });
  });
  result.catch(() => {});
  return { ready, result, go: () => child.stdin.end('go\n') };
}

it('two processes consuming the same keys from one file never both get a value', async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-sqlite-procs-'));
  const url = `file:${join(dir, 'shared.db')}`;
  const store = sqliteStore({ url, statementTimeout: 10_000 }); // contention is the point, not the wait
  for (let i = 0; i < KEYS; i++) await store.set(`k${i}`, `v${i}`, 600_000);
  store.close();

  const workers = [startWorker(url), startWorker(url)];
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const [a, b] = await Promise.all(workers.map((w) => w.result));

  const both = new Set(a!.filter((v) => b!.includes(v)));
  expect(both.size).toBe(0);
  expect(a!.length + b!.length).toBe(KEYS);
  // Both really raced: each took a share (random orders meet everywhere, not at one point).
  expect(
    Math.min(a!.length, b!.length),
    `one took ${a!.length}, the other ${b!.length}`,
  ).toBeGreaterThan(0);
}, 60_000);
