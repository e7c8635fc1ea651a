/**
 * `pnpm bench --quick` still runs: it exits 0 and its table has every row
 * with numbers. Benchmarks are not tests, so nothing here looks at a time,
 * a ratio or a target (issue 11's rule); the numbers of a quick run are rough.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENDERS } from '../bench/http/contenders.js';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'latchkey-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Written {
  http: Array<{
    id: string;
    label: string;
    unavailable?: string;
    rps?: { median: number; min: number; max: number };
    p99?: number;
    serverCpu?: number;
    traffic?: Record<string, number>;
  }>;
  micro: Array<{ name: string; opsPerSecond: { median: number } }>;
  targets: Array<{ target: string; met: boolean | null }>;
}

describe('pnpm bench --quick', () => {
  it('exits 0 and writes a table with every HTTP row and micro-benchmark, each with numbers', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], {
      cwd: root,
      env: { ...process.env, BENCH_RESULTS_DIR: out },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 140_000,
    });
    const written = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as Written;
    const md = readFileSync(join(out, 'quick.md'), 'utf8');

    const byId = new Map(written.http.map((r) => [r.id, r]));
    for (const c of CONTENDERS) {
      const row = byId.get(c.id);
      expect(row, c.id).toBeDefined();
      expect(md).toContain(c.label);
      expect(stdout).toContain(c.label);
      if (c.unavailable) {
        expect(row!.unavailable).toBe('n/a (issue 14)');
        continue;
      }
      expect(row!.rps!.median, c.id).toBeGreaterThan(0);
      expect(Number.isFinite(row!.p99), c.id).toBe(true);
      expect(row!.serverCpu, c.id).toBeGreaterThan(0);
      // Every store row says how many round trips a request made.
      if (c.needs === 'redis' || c.id.includes('sqlite') || c.needs === 'postgres')
        expect(row!.traffic, c.id).toBeDefined();
    }
    for (const name of [
      'sha256 of a 32-byte ID',
      'WebCrypto AES-GCM decrypt of 64 bytes',
      'validate a live session',
      'create one (login)',
      'regenerate one',
      'validate a sealed cookie session (unseal cold)',
      'validate a sealed cookie session (unseal cached)',
      'verify an access token (cache on)',
      'rotate a refresh token',
    ]) {
      const row = written.micro.find((r) => r.name === name);
      // A measured number came out (any positive finite value): the bench ran this case.
      const median = row?.opsPerSecond.median ?? Number.NaN;
      expect(Number.isFinite(median) && median > 0, name).toBe(true);
      expect(md).toContain(name);
    }
    // Each target is printed as met, missed or not applicable; which one is not this test's business.
    expect(written.targets.length).toBeGreaterThan(5);
    expect(md).toContain('## Targets');
  }, 150_000);
});
