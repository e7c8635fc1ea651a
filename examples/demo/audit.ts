/**
 * `pnpm audit:demo`: starts the playground on a free port (a temporary data
 * folder) and runs `latchkey-audit` against it, then stops it. Extra
 * arguments go to the audit (e.g. `pnpm audit:demo --json`). Over HTTPS with
 * a throwaway certificate when `openssl` is there, so the cookies are Secure
 * and prefixed as in production; otherwise over plain HTTP, where those two
 * checks fail with a note and do not fail the run.
 */

import { execFileSync } from 'node:child_process';
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
];

/** A self-signed certificate for localhost in `dir`, or `undefined` without openssl. */
function throwawayCertificate(
  dir: string,
): { key: string; cert: string; file: string } | undefined {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
        .concat(['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'])
        .concat(['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), file: cert };
}

const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-audit-demo-'));
const tls = throwawayCertificate(dataDir);
const demo = await startDemo({ port: 0, dataDir, ...(tls ? { tls } : {}) });
// Plain HTTP: development cookies (no Secure, no prefix) fail two checks with a note, not the run.
const transport = tls ? ['--ca', tls.file] : ['--allow-plain-http'];
try {
  const args = [...demoAuditArgs(demo.origin), ...transport, ...process.argv.slice(2)];
  process.exitCode = await runCli(args, {
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
