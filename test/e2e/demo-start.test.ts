/**
 * Starting the demo as a person does: `pnpm demo`'s command as a process
 * (fast, from sources, prints where it is), and the store switches
 * `REDIS_URL` and `DATABASE_URL` against a real Redis and PostgreSQL.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo } from '../../examples/demo/demo.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { Agent, ALICE, MINUTE } from './agent.js';

const root = new URL('../../', import.meta.url).pathname;

describe('pnpm demo', () => {
  it('the script runs the demo from sources (no build step) and tells the person where it is', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts.demo).toBe('node --import tsx examples/demo/server.ts');
  });

  it('starts on PORT, serves the login page, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-proc-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, REDIS_URL: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const origin = await new Promise<string>((resolve, reject) => {
        const limit = setTimeout(
          () => reject(new Error(`no start line within 30 s: ${out}`)),
          30_000,
        );
        child.stdout.on('data', (d) => {
          out += d;
          const m = /on (http:\/\/localhost:\d+)\//.exec(out);
          if (m) {
            clearTimeout(limit);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect(out).toContain('correct horse battery staple');
      expect(out).toContain(`SQLite (${join(dataDir, 'sessions.db')})`);
      const page = await fetch(`${origin}/login`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Sign in');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a port in use is one clear line, not a stack trace', async () => {
    const demo = await startDemo({
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'latchkey-demo-busy-')),
    });
    try {
      const port = new URL(demo.origin).port;
      const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/server.ts'], {
        cwd: root,
        env: { ...process.env, PORT: port },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(err.trim()).toBe(`Port ${port} is in use: start with PORT=<another port> pnpm demo`);
    } finally {
      await demo.close();
    }
  });
});

describe.each([
  ['REDIS_URL', 'Redis'],
  ['DATABASE_URL', 'PostgreSQL'],
] as const)('%s', (variable, label) => {
  let server: RedisServer | PostgresServer;
  beforeAll(async () => {
    server = variable === 'REDIS_URL' ? await startRedis() : await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(`switches the store to ${label}: the dashboard says so, and sessions, remember-me and revocation work`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-store-'));
    const demo = await startDemo({
      port: 0,
      dataDir,
      ...(variable === 'REDIS_URL' ? { redisUrl: server.url } : { databaseUrl: server.url }),
    });
    try {
      expect(demo.storeLabel.startsWith(`${label} (`)).toBe(true);
      const a = new Agent(demo.origin);
      await a.login(...ALICE, { remember: true });
      const page = await (await a.get('/', { accept: 'text/html' })).text();
      expect(page).toContain(`Store: <span id="store">${label} (`);
      const other = new Agent(demo.origin, 'other');
      await other.login(...ALICE);
      const { sessions } = await (await a.get('/api/sessions')).json();
      const row = sessions.find((s: { userAgent: string }) => s.userAgent === 'other');
      expect((await a.fetch(`/api/sessions/${row.id}`, { method: 'DELETE' })).status).toBe(200);
      expect(await (await other.get('/api/me')).json()).toMatchObject({ reason: 'revoked' });
      await demo.clock.advance(31 * MINUTE);
      expect(await (await a.get('/api/me')).json()).toMatchObject({ viaRememberMe: true });
    } finally {
      await demo.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
