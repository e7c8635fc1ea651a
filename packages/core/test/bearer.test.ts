/**
 * The bearer guard's core: reading the credential (RFC 6750 §2.1), the
 * challenge (§3, §3.1), and failures that are not the token's.
 */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../src/errors.js';
import { authenticateBearer, readBearerToken } from '../src/bearer.js';

const withAuth = (authorization?: string, accept = 'application/json') =>
  new Request('https://api.example/me', {
    headers: authorization === undefined ? { accept } : { authorization, accept },
  });

describe('readBearerToken', () => {
  it.each<[string | undefined, string | null]>([
    [undefined, null],
    ['Basic YWRhOnB3', null],
    ['Bearerish abc', null],
    ['Bearer abc.def-ghi_~+/==', 'abc.def-ghi_~+/=='],
    ['BEARER   abc', 'abc'],
    ['Bearer', ''],
    ['Bearer a b', ''],
    ['Bearer a,b', ''],
  ])('%j → %j', (header, token) => {
    expect(readBearerToken(withAuth(header))).toBe(token);
  });
});

describe('authenticateBearer', () => {
  const never = { verifyAccess: () => Promise.reject(new Error('not called')) };

  it('answers a missing token without an error code and never calls the verifier', async () => {
    const auth = await authenticateBearer(withAuth(), never, { realm: 'files' });
    expect(auth.valid).toBe(false);
    if (auth.valid) return;
    expect(auth.response.headers.get('www-authenticate')).toBe('Bearer realm="files"');
    expect(auth.response.headers.get('vary')).toMatch(/^Authorization, Accept/);
  });

  it('a store failure is a 503; any other error is the app’s and propagates', async () => {
    const down = { verifyAccess: () => Promise.reject(new StoreError('read', 'ECONNRESET')) };
    const auth = await authenticateBearer(withAuth('Bearer abc'), down);
    expect(auth.valid === false && [auth.reason, auth.response.status]).toEqual([
      'store-unavailable',
      503,
    ]);
    const bug = { verifyAccess: () => Promise.reject(new RangeError('bug')) };
    await expect(authenticateBearer(withAuth('Bearer abc'), bug)).rejects.toThrow('bug');
  });
});
