import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditReport, type CheckResult } from '@latchkey/audit';
import { startDemo, type RunningDemo } from '../../../examples/demo/demo.js';
import { selfSignedCert } from './fixtures/self-signed.js';

// The demo's login costs a scrypt hash (and the machine is shared): these tests do about 20 logins.
const LONG = 180_000;

const failed = (r: AuditReport) => r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
const byId = (r: AuditReport, id: string) => r.checks.find((c) => c.id === id) as CheckResult;

describe('latchkey audit against the demo', () => {
  let dataDir: string;
  let demo: RunningDemo;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-audit-demo-'));
    demo = await startDemo({ port: 0, dataDir });
  });
  afterAll(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const recipe = (
    claims: { idle: string; absolute: string },
    samples = 8,
    body: 'form' | 'json' = 'form',
  ) => ({
    target: demo.origin,
    body,
    login: '/login',
    fields: { username: 'alice', password: 'correct horse battery staple' },
    protected: '/api/me',
    logout: '/logout',
    samples,
    idleTimeoutMs: parseDuration(claims.idle),
    absoluteTimeoutMs: parseDuration(claims.absolute),
    clockHook: '/__demo/clock',
  });

  it(
    'passes every check, the timeouts through the demo clock; on plain HTTP only cookie-secure and cookie-prefix fail, with a note',
    async () => {
      const report = await audit(recipe({ idle: '30m', absolute: '24h' }));
      expect(report.sessionCookies).toEqual(['lk_productivity']);
      expect(report.plainHttp).toBe(true);
      expect(failed(report)).toEqual(['cookie-secure', 'cookie-prefix']);
      for (const id of ['cookie-secure', 'cookie-prefix'])
        expect(byId(report, id).note).toMatch(/plain HTTP/);
      expect(report.checks.filter((c) => c.status === 'n/a')).toEqual([]);
      expect(byId(report, 'idle-timeout').message).toMatch(/enforced at 30 min/);
      expect(byId(report, 'absolute-timeout').message).toMatch(/enforced at 1 d/);
    },
    LONG,
  );

  it(
    'signs in with a JSON body too, and fails the timeout checks when the claimed values are not the ones the app enforces',
    async () => {
      // The demo's productivity preset: idle 30 min, absolute 24 h. Claimed here: 20 min and 48 h.
      const report = await audit(recipe({ idle: '20m', absolute: '48h' }, 2, 'json'));
      expect(report.sessionCookies).toEqual(['lk_productivity']);
      expect(failed(report)).toEqual([
        'cookie-secure',
        'cookie-prefix',
        'idle-timeout',
        'absolute-timeout',
      ]);
      expect(byId(report, 'idle-timeout')).toMatchObject({ status: 'fail' });
      expect(byId(report, 'idle-timeout').message).toMatch(
        /still worked past the claimed idle timeout of 20 min/,
      );
      expect(byId(report, 'absolute-timeout')).toMatchObject({ status: 'fail' });
      expect(byId(report, 'absolute-timeout').message).toMatch(
        /ended 1 d after login, before the claimed absolute timeout of 2 d/,
      );
    },
    LONG,
  );
});

function parseDuration(text: string): number {
  const n = Number.parseInt(text, 10);
  return text.endsWith('h') ? n * 3_600_000 : n * 60_000;
}

describe('latchkey audit against the demo over HTTPS', () => {
  let dataDir: string;
  let demo: RunningDemo;
  let cert: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-audit-demo-tls-'));
    const tls = selfSignedCert();
    cert = tls.cert;
    demo = await startDemo({ port: 0, dataDir, tls });
  });
  afterAll(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'passes every check: Secure, __Host- prefixed cookies, and the rest as on plain HTTP',
    async () => {
      const report = await audit(
        {
          target: demo.origin,
          body: 'form',
          login: '/login',
          fields: { username: 'alice', password: 'correct horse battery staple' },
          protected: '/api/me',
          logout: '/logout',
          samples: 8,
          idleTimeoutMs: parseDuration('30m'),
          absoluteTimeoutMs: parseDuration('24h'),
          clockHook: '/__demo/clock',
        },
        { ca: cert },
      );
      expect(report.plainHttp).toBe(false);
      expect(report.sessionCookies).toEqual(['__Host-lk_productivity']);
      expect(report.checks.map((c) => [c.id, c.status])).toEqual(
        report.checks.map((c) => [c.id, 'pass']),
      );
      expect(report.checks).toHaveLength(15);
    },
    LONG,
  );
});
