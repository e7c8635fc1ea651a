/**
 * `pnpm audit:demo`: starts the playground on a free port (a temporary data
 * folder) and runs `latchkey-audit` against it, then stops it. Extra
 * arguments go to the audit (e.g. `pnpm audit:demo --json`).
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, runCli } from '@latchkey/audit';
import { startDemo } from './demo.js';

/** The demo's recipe: its login form, a protected page, logout, its preset's claimed timeouts and its clock hook. */
const demoAuditArgs = (origin: string) => [
  origin,
  '--login',
  '/login',
  '--field',
  'username=alice',
  '--field',
  'password=correct horse battery staple',
  '--protected',
  '/api/me',
  '--logout',
  '/logout',
  '--idle-timeout',
  '30m', // presets.productivity, the preset for new logins
  '--absolute-timeout',
  '24h',
  '--clock-hook',
  '/__demo/clock',
  // The demo is plain http://localhost, with development cookies (no Secure, no prefix):
  // those two checks fail with a note, and do not fail the run.
  '--allow-plain-http',
];

const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-audit-demo-'));
const demo = await startDemo({ port: 0, dataDir });
try {
  process.exitCode = await runCli([...demoAuditArgs(demo.origin), ...process.argv.slice(2)], {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    audit,
  });
} finally {
  await demo.close();
  rmSync(dataDir, { recursive: true, force: true });
}
