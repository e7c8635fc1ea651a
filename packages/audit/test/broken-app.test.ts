import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditReport } from '@latchkey/audit';
import { selfSignedCert, startBrokenApp, type BrokenApp } from './fixtures/broken-app.js';

describe('latchkey audit against a deliberately broken app (over HTTPS)', () => {
  let app: BrokenApp;
  let report: AuditReport;
  let certificate: string;
  beforeAll(async () => {
    const tls = selfSignedCert();
    certificate = tls.cert;
    app = await startBrokenApp(tls);
    report = await audit(
      {
        target: app.origin,
        fields: { username: 'alice', password: 's3cret' },
        protected: '/me',
        logout: '/logout',
      },
      { ca: tls.cert },
    );
  });
  afterAll(() => app?.close());

  it('reports each flaw exactly once: counter IDs, no HttpOnly, logout that only clears the cookie', () => {
    expect(report.plainHttp).toBe(false);
    expect(report.sessionCookies).toEqual(['__Host-sid']);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual([
      'cookie-httponly',
      'id-entropy',
      'logout-server-side',
    ]);
  });

  it('says why: the IDs count up, and the pre-logout cookie still works', () => {
    const message = (id: string) => report.checks.find((c) => c.id === id)!.message;
    expect(message('id-entropy')).toMatch(/count up/);
    expect(message('logout-server-side')).toMatch(/still works afterwards \(protected URL: 200\)/);
    expect(message('cookie-secure')).toMatch(/__Host-sid: Secure/);
  });

  it('without --logout: the logout checks are n/a, and the CSRF probe is a login from a foreign Origin', async () => {
    const tls = { ca: certificate };
    const noLogout = await audit(
      {
        target: app.origin,
        fields: { username: 'alice', password: 's3cret' },
        protected: '/me',
        samples: 4,
      },
      tls,
    );
    const byId = (id: string) => noLogout.checks.find((c) => c.id === id)!;
    expect(byId('logout-server-side')).toMatchObject({
      status: 'n/a',
      message: 'no --logout URL given',
    });
    expect(byId('logout-no-store').status).toBe('n/a');
    expect(byId('csrf-origin')).toMatchObject({
      status: 'pass',
      message: 'a login from a foreign Origin was refused (403)',
    });
  });

  it('refuses a certificate it was not told to trust', async () => {
    await expect(audit({ target: app.origin, fields: {}, protected: '/me' })).rejects.toMatchObject(
      { code: 'ERR_AUDIT_UNREACHABLE' },
    );
  });
});

describe('latchkey audit --wait (time injected)', () => {
  it('tests a claimed idle timeout by waiting, and fails an app that never ends idle sessions', async () => {
    const tls = selfSignedCert();
    const app = await startBrokenApp(tls);
    const slept: number[] = [];
    try {
      const report = await audit(
        {
          target: app.origin,
          fields: { username: 'alice', password: 's3cret' },
          protected: '/me',
          samples: 2,
          idleTimeoutMs: 5 * 60_000,
          wait: true,
        },
        { ca: tls.cert, sleep: async (ms) => void slept.push(ms) },
      );
      const idle = report.checks.find((c) => c.id === 'idle-timeout')!;
      expect(idle.status).toBe('fail');
      expect(idle.message).toMatch(
        /still worked past the claimed idle timeout of 5 min \(plus 1 min\)/,
      );
      // Just before the claim (5 min less the tolerance), then past it (plus the tolerance).
      expect(slept).toEqual([4 * 60_000, 6 * 60_000]);
      expect(report.checks.find((c) => c.id === 'absolute-timeout')!.status).toBe('n/a');
    } finally {
      await app.close();
    }
  });
});
