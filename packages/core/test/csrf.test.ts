/**
 * The CSRF guard's decisions as a pure function of the request's headers:
 * foreign, sibling and null origins refused, trusted ones and safe methods
 * passed, the rule for requests with no header at all in both settings.
 */
import { describe, expect, it } from 'vitest';
import { checkCsrf, csrfGuard, csrfResponse, type CsrfOptions } from '../src/csrf.js';

const APP = 'https://app.example';

function post(headers: Record<string, string>, method = 'POST', url = `${APP}/transfer`) {
  return new Request(url, { method, headers });
}

describe('checkCsrf', () => {
  it.each<[string, Record<string, string>, CsrfOptions, string | null]>([
    ['own origin', { origin: APP, 'sec-fetch-site': 'same-origin' }, {}, null],
    [
      'a sibling subdomain',
      { origin: 'https://evil.app.example', 'sec-fetch-site': 'same-site' },
      {},
      'origin-mismatch',
    ],
    [
      'another site',
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      {},
      'origin-mismatch',
    ],
    ['the same host on another scheme', { origin: 'http://app.example' }, {}, 'origin-mismatch'],
    [
      'the same host on another port',
      { origin: 'https://app.example:8443' },
      {},
      'origin-mismatch',
    ],
    ['a null origin', { origin: 'null' }, {}, 'null-origin'],
    [
      'a null origin even when "trusted"',
      { origin: 'null' },
      { trustedOrigins: [APP] },
      'null-origin',
    ],
    [
      'Sec-Fetch-Site: cross-site without Origin',
      { 'sec-fetch-site': 'cross-site' },
      {},
      'cross-site',
    ],
    [
      'Sec-Fetch-Site: same-site without Origin',
      { 'sec-fetch-site': 'same-site' },
      {},
      'same-site',
    ],
    [
      'same-site allowed by option',
      { 'sec-fetch-site': 'same-site' },
      { allowSameSite: true },
      null,
    ],
    ['Sec-Fetch-Site: same-origin without Origin', { 'sec-fetch-site': 'same-origin' }, {}, null],
    [
      'Sec-Fetch-Site: none (the user typed it) without Origin',
      { 'sec-fetch-site': 'none', cookie: 'session=x' },
      {},
      null,
    ],
    [
      'a trusted origin',
      { origin: 'https://admin.example', 'sec-fetch-site': 'cross-site' },
      { trustedOrigins: ['https://admin.example/'] },
      null,
    ],
    [
      'own origin while Fetch Metadata says cross-site',
      { origin: APP, 'sec-fetch-site': 'cross-site' },
      {},
      'cross-site',
    ],
    [
      'Referer from a foreign site, no Origin',
      { referer: 'https://evil.example/form' },
      {},
      'origin-mismatch',
    ],
    [
      'Referer from the app, no Origin',
      { referer: `${APP}/settings`, cookie: 'session=x' },
      {},
      null,
    ],
  ])('%s', (_name, headers, options, reason) => {
    const verdict = checkCsrf(post(headers), options);
    expect(verdict).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });

  it('behind a proxy the configured origin is the app’s, not the request URL’s', () => {
    const internal = 'http://10.0.0.5:3000/transfer';
    const request = post({ origin: APP }, 'POST', internal);
    expect(checkCsrf(request)).toEqual({ ok: false, reason: 'origin-mismatch' });
    expect(checkCsrf(request, { origin: APP })).toEqual({ ok: true });
    expect(checkCsrf(request, { origin: ['https://www.app.example', APP] })).toEqual({ ok: true });
  });

  it('safe methods pass whatever their headers say; every other method is checked', () => {
    const hostile = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    for (const method of ['GET', 'HEAD', 'OPTIONS'])
      expect(checkCsrf(post(hostile, method)).ok).toBe(true);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'])
      expect(checkCsrf(post(hostile, method)).ok).toBe(false);
  });

  it('no header at all: by default allowed only without cookies; refused with "refuse"; allowed with "allow"', () => {
    const bare = post({});
    const withCookie = post({ cookie: 'session=abc' });
    expect(checkCsrf(bare)).toEqual({ ok: true });
    expect(checkCsrf(withCookie)).toEqual({ ok: false, reason: 'unverifiable' });
    expect(checkCsrf(bare, { unverifiable: 'refuse' })).toEqual({
      ok: false,
      reason: 'unverifiable',
    });
    expect(checkCsrf(withCookie, { unverifiable: 'refuse' }).ok).toBe(false);
    expect(checkCsrf(withCookie, { unverifiable: 'allow' })).toEqual({ ok: true });
  });

  it('names the option it cannot use', () => {
    expect(() => checkCsrf(post({}), { trustedOrigins: ['app.example'] })).toThrow(
      /csrf\.trustedOrigins: expected an origin/,
    );
    expect(() => csrfGuard({ origin: 'data:text/plain,x' })).toThrow(/csrf\.origin/);
    expect(() => csrfGuard({ unverifiable: 'maybe' as never })).toThrow(/csrf\.unverifiable/);
  });
});

describe('the 403', () => {
  it('is typed JSON for a script and text for a navigation, never cached', async () => {
    const script = csrfResponse(post({ accept: '*/*' }), 'cross-site');
    expect(script.status).toBe(403);
    expect(script.headers.get('cache-control')).toBe('no-store');
    expect(await script.json()).toEqual({ error: 'csrf_rejected', reason: 'cross-site' });
    const form = csrfResponse(post({ 'sec-fetch-mode': 'navigate' }), 'origin-mismatch');
    expect([form.status, form.headers.get('content-type')]).toEqual([
      403,
      'text/plain; charset=utf-8',
    ]);
  });

  it('csrfGuard answers null to let a request through and the 403 otherwise', async () => {
    const guard = csrfGuard(true);
    expect(guard(post({ origin: APP }))).toBeNull();
    const refused = guard(post({ origin: 'https://evil.app.example' }));
    expect(await refused?.json()).toEqual({ error: 'csrf_rejected', reason: 'origin-mismatch' });
  });
});
