import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expiryResponse,
  safeReturnTo,
  sessionFailureResponse,
  storeUnavailableResponse,
} from '../src/expiry-response.js';
import { SessionConflictError, StoreError } from '../src/errors.js';
import type { InvalidReason } from '../src/outcome.js';
import { COOKIE, harness, ORIGIN } from './harness.js';

const json = { accept: 'application/json' };
const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

function req(path: string, init: { accept?: string; method?: string } = page): Request {
  return new Request(ORIGIN + path, {
    headers: init.accept ? { accept: init.accept } : {},
    method: init.method ?? 'GET',
  });
}

/** Where a browser would go: the Location resolved against the page, and the returnTo the login page would use next. */
function destinations(res: Response): { location: URL; returnTo: URL | undefined } {
  const location = new URL(res.headers.get('location')!, ORIGIN);
  const back = location.searchParams.get('returnTo');
  return { location, returnTo: back === null ? undefined : new URL(back, ORIGIN) };
}

describe('JSON clients get 401 with a machine-readable reason', () => {
  it.each<[InvalidReason, string]>([
    ['expired-idle', 'idle'],
    ['expired-absolute', 'absolute'],
    ['revoked', 'revoked'],
    ['missing', 'unauthenticated'],
    ['malformed', 'unauthenticated'],
    ['unknown', 'unauthenticated'],
  ])('%s → %s', async (reason, told) => {
    const res = expiryResponse(req('/api/inbox', json), { reason });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'session_expired', reason: told });
  });

  it('recognises +json media types and prefers whichever of JSON and HTML comes first', () => {
    expect(
      expiryResponse(req('/x', { accept: 'application/vnd.api+json' }), { reason: 'missing' })
        .status,
    ).toBe(401);
    expect(
      expiryResponse(req('/x', { accept: 'application/json, text/html' }), { reason: 'missing' })
        .status,
    ).toBe(401);
    expect(
      expiryResponse(req('/x', { accept: 'text/html, application/json' }), { reason: 'missing' })
        .status,
    ).toBe(303);
    // A request that names neither is a page only when the browser says it navigates.
    const navigation = new Request(ORIGIN + '/x', { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(expiryResponse(navigation, { reason: 'missing' }).status).toBe(303);
  });

  it('works end to end from a real load outcome', async () => {
    const h = harness();
    const b = await h.signedIn();
    h.clock.advance('31m');
    const request = h.request(`${COOKIE}=${b.id}`, { accept: 'application/json' });
    const outcome = await h.lk.forRequest(request).load();
    if (outcome.valid) throw new Error('expected expiry');
    const res = expiryResponse(request, outcome);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'session_expired', reason: 'idle' });
  });
});

describe('page requests get a 303 to the login page', () => {
  it('carries returnTo and the reason', () => {
    const res = expiryResponse(req('/inbox?tab=2'), { reason: 'expired-idle' });
    expect(res.status).toBe(303);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { location } = destinations(res);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('returnTo')).toBe('/inbox?tab=2');
    expect(location.searchParams.get('reason')).toBe('idle');
  });

  it('says no reason for a plain unauthenticated visit, and honours loginPath and returnToParam', () => {
    const res = expiryResponse(
      req('/inbox'),
      { reason: 'missing' },
      { loginPath: '/auth/sign-in', returnToParam: 'next' },
    );
    const location = new URL(res.headers.get('location')!, ORIGIN);
    expect(location.pathname).toBe('/auth/sign-in');
    expect(location.searchParams.get('next')).toBe('/inbox');
    expect(location.searchParams.has('reason')).toBe(false);
  });

  it('answers a request whose URL has no web origin (a non-http scheme) instead of throwing', () => {
    for (const url of ['foo://app.example/inbox', 'file:///inbox', 'data:text/plain,hi']) {
      const res = expiryResponse(new Request(url, { headers: page }), { reason: 'expired-idle' });
      expect(res.status).toBe(303);
      // As for an unparsable URL: the same-origin login path, returning to the root.
      expect(res.headers.get('location')).toBe('/login?returnTo=%2F&reason=idle');
    }
  });

  it('does not send a POST back to its URL after sign-in', () => {
    const res = expiryResponse(req('/transfer', { ...page, method: 'POST' }), {
      reason: 'expired-idle',
    });
    expect(destinations(res).returnTo).toBeUndefined();
  });
});

describe('no open redirect', () => {
  // Request paths an attacker can make a victim visit. The request URL parser normalises some of them.
  const hostilePaths = [
    '//evil.com',
    '//evil.com/%2F..',
    '/\\evil.com',
    '/\\/evil.com',
    '/.//evil.com',
    '/%2e//evil.com',
    '/a/..//evil.com',
    '/%2F%2Fevil.com',
    '/%5C%5Cevil.com',
    '/%09/evil.com',
    '/%0a/evil.com',
    '/%0d%0a/evil.com',
    '/@evil.com',
    '/login?returnTo=//evil.com',
  ];
  it.each(hostilePaths)(
    'request path %s never yields an off-origin Location or returnTo',
    (path) => {
      const res = expiryResponse(req(path), { reason: 'expired-idle' });
      expect(res.status).toBe(303);
      const { location, returnTo } = destinations(res);
      expect(location.origin).toBe(ORIGIN);
      expect(location.pathname).toBe('/login');
      if (returnTo) expect(returnTo.origin).toBe(ORIGIN);
    },
  );

  const hostileTargets = [
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    'https://evil.com',
    'HTTPS://evil.com',
    'javascript:alert(1)',
    'evil.com',
    '/.//evil.com',
    '/%2e//evil.com',
    '/a/..//evil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    '/\r\n/evil.com',
    ' //evil.com',
    '/\u0000/evil.com',
    '',
  ];
  it.each(hostileTargets)('safeReturnTo refuses %j', (target) => {
    expect(safeReturnTo(target, ORIGIN)).toBeUndefined();
  });

  it.each(hostileTargets)('a loginPath of %j falls back to /login', (loginPath) => {
    const res = expiryResponse(req('/inbox'), { reason: 'missing' }, { loginPath });
    const { location } = destinations(res);
    expect(location.origin).toBe(ORIGIN);
    expect(location.pathname).toBe('/login');
  });

  it('keeps ordinary paths, and percent-encoded slashes stay a path on this origin', () => {
    expect(safeReturnTo('/settings?tab=2#billing', ORIGIN)).toBe('/settings?tab=2#billing');
    expect(safeReturnTo('/a/../b', ORIGIN)).toBe('/b');
    expect(safeReturnTo('/%2F%2Fevil.com', ORIGIN)).toBe('/%2F%2Fevil.com');
    expect(new URL(safeReturnTo('/%2F%2Fevil.com', ORIGIN)!, ORIGIN).origin).toBe(ORIGIN);
  });

  it('for any input, safeReturnTo answers a path that stays on the origin, or nothing', () => {
    const chars = fc.constantFrom(
      '/',
      '\\',
      '.',
      '%',
      '2',
      'e',
      'f',
      'F',
      '5',
      'c',
      ':',
      '@',
      '?',
      '#',
      'a',
      '\t',
      '\n',
      ' ',
      'h',
      't',
      'p',
      's',
    );
    // Paths built from the segments that URL resolution treats specially (dot segments, encoded dots, backslashes).
    const segment = fc.constantFrom(
      '',
      '.',
      '..',
      '%2e',
      '%2E%2e',
      '.%2e',
      'evil.com',
      'a',
      '\\',
      '%5c',
      '%2f',
      '@evil.com',
      'https:',
      ' ',
    );
    const path = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(
        fc.oneof(path, fc.string({ unit: chars, maxLength: 24 }), fc.string({ maxLength: 40 })),
        (target) => {
          const out = safeReturnTo(target, ORIGIN);
          if (out === undefined) return;
          expect(out.startsWith('/')).toBe(true);
          expect(out.startsWith('//')).toBe(false);
          expect(new URL(out, ORIGIN).origin).toBe(ORIGIN);
          // The login page reads it back from the query string and redirects: still on the origin.
          const viaQuery = new URL(
            `/login?returnTo=${encodeURIComponent(out)}`,
            ORIGIN,
          ).searchParams.get('returnTo')!;
          expect(new URL(viaQuery, ORIGIN).origin).toBe(ORIGIN);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('store outage', () => {
  it('is a 503, neither a sign-in redirect nor a 401', async () => {
    expect(storeUnavailableResponse(req('/inbox')).status).toBe(503);
    expect(storeUnavailableResponse(req('/inbox')).headers.has('location')).toBe(false);
    const api = storeUnavailableResponse(req('/api', json), 30);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('30');
  });
});

describe('session failures an adapter answers without a 500', () => {
  it('a store failure is the 503, a lost write race a 409 to retry, and anything else is not theirs', async () => {
    const outage = sessionFailureResponse(req('/api', json), new StoreError('read', 'ECONNRESET'));
    expect(outage?.status).toBe(503);
    expect(await outage?.json()).toEqual({ error: 'session_store_unavailable' });
    const conflict = sessionFailureResponse(req('/api', json), new SessionConflictError('lost'));
    expect(conflict?.status).toBe(409);
    expect(conflict?.headers.get('retry-after')).toBe('1');
    expect(conflict?.headers.get('cache-control')).toBe('no-store');
    expect(await conflict?.json()).toEqual({ error: 'session_conflict' });
    const page = sessionFailureResponse(req('/inbox'), new SessionConflictError('lost'));
    expect([page?.status, page?.headers.get('location')]).toEqual([409, null]);
    // A second copy of the library throws its own classes: the stable code is enough.
    const foreign = Object.assign(new Error('lost'), { code: 'ERR_SESSION_CONFLICT' });
    expect(sessionFailureResponse(req('/api', json), foreign)?.status).toBe(409);
    expect(sessionFailureResponse(req('/api', json), new RangeError('bug'))).toBeNull();
    expect(sessionFailureResponse(req('/api', json), undefined)).toBeNull();
  });
});
