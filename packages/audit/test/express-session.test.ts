import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditReport } from '@latchkey/audit';
import { startExpressSessionApp } from './fixtures/express-session-app.js';

describe('latchkey audit against express-session in its default configuration', () => {
  let app: Awaited<ReturnType<typeof startExpressSessionApp>>;
  let report: AuditReport;
  beforeAll(async () => {
    app = await startExpressSessionApp();
    report = await audit({
      target: app.origin,
      fields: { username: 'alice', password: 's3cret' },
      protected: '/me',
      logout: '/logout',
      samples: 12,
    });
  });
  afterAll(() => app?.close());

  it('reports what the defaults leave open: fixation, no Secure, no SameSite, no prefix, no no-store on logout, no CSRF check', () => {
    expect(report.sessionCookies).toEqual(['connect.sid']);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual([
      'cookie-secure',
      'cookie-samesite',
      'cookie-prefix',
      'fixation',
      'logout-no-store',
      'csrf-origin',
    ]);
  });

  it('finds the fixation both ways: the pre-login ID survives login, and a second login keeps the ID', () => {
    const fixation = report.checks.find((c) => c.id === 'fixation')!;
    expect(fixation.message).toMatch(/the ID the app set before login is still the session/);
    expect(fixation.message).toMatch(/a second login kept the signed-in session ID/);
  });

  it('passes what express-session does by default (HttpOnly, a random 192-bit ID, destroy on logout) and leaves the timeouts n/a with a reason', () => {
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      'cookie-httponly': 'pass',
      'cookie-scope': 'pass',
      'cookie-lifetime': 'pass',
      'cookie-size': 'pass',
      'id-entropy': 'pass',
      'id-repeat': 'pass',
      'logout-server-side': 'pass',
      'idle-timeout': 'n/a',
      'absolute-timeout': 'n/a',
    });
    expect(report.checks.find((c) => c.id === 'idle-timeout')!.message).toMatch(/--idle-timeout/);
  });
});

describe('latchkey audit refuses a recipe that cannot work, saying why', () => {
  let app: Awaited<ReturnType<typeof startExpressSessionApp>>;
  beforeAll(async () => {
    app = await startExpressSessionApp();
  });
  afterAll(() => app?.close());

  it('a wrong password: the login did not sign in', async () => {
    await expect(
      audit({
        target: app.origin,
        fields: { username: 'alice', password: 'wrong' },
        protected: '/me',
      }),
    ).rejects.toMatchObject({
      code: 'ERR_AUDIT_RECIPE',
      message: expect.stringMatching(
        /after signing in \(POST 401\), .*\/me answered 401: check the fields/,
      ),
    });
  });

  it('a --protected URL that answers 200 to anyone', async () => {
    await expect(
      audit({
        target: app.origin,
        fields: { username: 'alice', password: 's3cret' },
        protected: '/login',
      }),
    ).rejects.toMatchObject({
      code: 'ERR_AUDIT_RECIPE',
      message: expect.stringMatching(
        /answered 200 without any cookie: --protected must be a URL that needs a session/,
      ),
    });
  });
});
