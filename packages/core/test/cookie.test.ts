import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CookieError } from '../src/errors.js';
import { getCookie, parseCookieHeader } from '../src/cookie/parse.js';
import { resolveSessionCookie } from '../src/cookie/session-cookie.js';
import {
  clampMaxAge,
  deletionCookie,
  serializeCookie,
  type CookieAttributes,
} from '../src/cookie/serialize.js';

const NOW = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z
const DAY = 86_400;
const hostAttrs: CookieAttributes = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' };

/** The CookieError thrown by `fn`, failing the test if it throws nothing or something else. */
function cookieError(fn: () => unknown): CookieError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CookieError);
    expect((e as CookieError).code).toBe('ERR_COOKIE_INVALID');
    return e as CookieError;
  }
  throw new Error('expected a CookieError, nothing was thrown');
}

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const OCTETS = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  (c) => !'",;\\'.includes(c),
);
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 24 });
const cookieValue = fc.string({ unit: fc.constantFrom(...OCTETS), maxLength: 48 });
const anyUnit = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  // UTF-16 units one by one, so lone surrogates appear.
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 200,
  }),
  fc.string({ unit: fc.constantFrom(';', '=', ' ', '\t', '"', 'a', 'b', '\0'), maxLength: 200 }),
);

describe('serializeCookie', () => {
  it('writes every attribute in the fixed order', () => {
    const all: CookieAttributes = {
      maxAge: 3600,
      expires: new Date(NOW + 3600_000),
      domain: 'example.com',
      path: '/app',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
      partitioned: true,
      priority: 'High',
    };
    expect(serializeCookie('sid', 'abc', all, NOW)).toBe(
      'sid=abc; Max-Age=3600; Expires=Thu, 01 Jan 2026 01:00:00 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict; Partitioned; Priority=High',
    );
    expect(serializeCookie('a', 'b')).toBe('a=b');
    expect(serializeCookie('__Host-session', 'k3Jx9', { maxAge: 60, ...hostAttrs })).toBe(
      '__Host-session=k3Jx9; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
  });

  it('accepts empty, DQUOTE-wrapped and every cookie-octet value', () => {
    expect(serializeCookie('a', '')).toBe('a=');
    expect(serializeCookie('a', '""')).toBe('a=""');
    expect(serializeCookie('a', '"x-y"')).toBe('a="x-y"');
    expect(serializeCookie('a', OCTETS.join(''))).toBe(`a=${OCTETS.join('')}`);
    expect(serializeCookie(TCHARS, 'v')).toBe(`${TCHARS}=v`);
  });

  it.each([
    ['', /empty/],
    ['a b', /token.*U\+0020 at index 1/],
    ['a;b', /U\+003B/],
    ['a=b', /U\+003D/],
    ['a,b', /U\+002C/],
    ['(x)', /U\+0028 at index 0/],
    ['"a"', /U\+0022/],
    ['a\0', /U\+0000/],
    ['a\tb', /U\+0009/],
    ['café', /U\+00E9/],
    ['a\x7f', /U\+007F/],
  ])('refuses the name %j', (name, message) => {
    expect(cookieError(() => serializeCookie(name, 'v')).message).toMatch(message);
  });

  it.each([
    ['a b', /cookie-octets.*U\+0020 at index 1/],
    ['a;b', /U\+003B/],
    ['a,b', /U\+002C/],
    ['a\\b', /U\+005C/],
    ['a"b', /U\+0022 at index 1/],
    ['"abc', /U\+0022 at index 0/],
    ['abc"', /U\+0022 at index 3/],
    ['"', /U\+0022 at index 0/],
    ['"a b"', /U\+0020 at index 2/],
    ['\x7f', /U\+007F/],
    ['\t', /U\+0009/],
    ['é', /U\+00E9/],
    ['\ud800', /U\+D800/],
  ])('refuses the value %j', (value, message) => {
    expect(cookieError(() => serializeCookie('sid', value)).message).toMatch(message);
  });

  it('never repeats the (secret) value in its message', () => {
    const err = cookieError(() => serializeCookie('sid', 'topsecret;token'));
    expect(err.message).toContain('"sid"');
    expect(err.message).not.toContain('topsecret');
  });

  it('refuses wrong types with TypeError', () => {
    expect(() => serializeCookie(1 as unknown as string, 'v')).toThrow(TypeError);
    expect(() => serializeCookie('a', null as unknown as string)).toThrow(TypeError);
    expect(() => serializeCookie('a', 'v', { expires: new Date(NaN) }, NOW)).toThrow(TypeError);
  });

  it('clamps Max-Age at 400 days, rounds fractions down, allows 0', () => {
    expect(serializeCookie('a', 'b', { maxAge: 400 * DAY })).toBe('a=b; Max-Age=34560000');
    expect(serializeCookie('a', 'b', { maxAge: 400 * DAY + 1 })).toBe('a=b; Max-Age=34560000');
    expect(serializeCookie('a', 'b', { maxAge: 10 * 365 * DAY })).toBe('a=b; Max-Age=34560000');
    expect(serializeCookie('a', 'b', { maxAge: Infinity })).toBe('a=b; Max-Age=34560000');
    expect(serializeCookie('a', 'b', { maxAge: 1.9 })).toBe('a=b; Max-Age=1');
    expect(serializeCookie('a', 'b', { maxAge: 0 })).toBe('a=b; Max-Age=0');
    expect(clampMaxAge(3600.7)).toBe(3600);
  });

  it.each([-1, -0.5, NaN, -Infinity])('refuses Max-Age %d', (maxAge) => {
    expect(cookieError(() => serializeCookie('a', 'b', { maxAge })).message).toMatch(
      /Max-Age.*non-negative/,
    );
  });

  it('caps Expires at 400 days after now, keeps past dates', () => {
    const cap = new Date(NOW + 400 * DAY * 1000).toUTCString();
    expect(serializeCookie('a', 'b', { expires: new Date(NOW + 500 * DAY * 1000) }, NOW)).toBe(
      `a=b; Expires=${cap}`,
    );
    expect(serializeCookie('a', 'b', { expires: new Date(NOW + 399 * DAY * 1000) }, NOW)).toBe(
      `a=b; Expires=${new Date(NOW + 399 * DAY * 1000).toUTCString()}`,
    );
    expect(serializeCookie('a', 'b', { expires: new Date(0) }, NOW)).toBe(
      'a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
  });

  describe('without now', () => {
    afterEach(() => vi.useRealTimers());
    it('reads the wall clock only to cap Expires', () => {
      vi.useFakeTimers({ now: NOW });
      const cap = new Date(NOW + 400 * DAY * 1000).toUTCString();
      expect(serializeCookie('a', 'b', { expires: new Date(8.64e15) })).toBe(`a=b; Expires=${cap}`);
    });
  });

  it('refuses SameSite=None and Partitioned without Secure', () => {
    expect(cookieError(() => serializeCookie('a', 'b', { sameSite: 'None' })).message).toMatch(
      /SameSite=None requires Secure/,
    );
    expect(serializeCookie('a', 'b', { sameSite: 'None', secure: true })).toBe(
      'a=b; Secure; SameSite=None',
    );
    expect(cookieError(() => serializeCookie('a', 'b', { partitioned: true })).message).toMatch(
      /Partitioned requires Secure/,
    );
    expect(
      cookieError(() => serializeCookie('a', 'b', { sameSite: 'lax' as 'Lax' })).message,
    ).toMatch(/Strict, Lax or None/);
    expect(
      cookieError(() => serializeCookie('a', 'b', { priority: 'Urgent' as 'High' })).message,
    ).toMatch(/Low, Medium or High/);
  });

  it('enforces the __Secure- prefix (RFC 6265bis §4.1.3.1)', () => {
    expect(cookieError(() => serializeCookie('__Secure-id', 'v', { path: '/' })).message).toMatch(
      /__Secure- prefix requires the Secure attribute/,
    );
    expect(cookieError(() => serializeCookie('__SECURE-id', 'v')).message).toMatch(/__Secure-/);
    expect(serializeCookie('__Secure-id', 'v', { secure: true, domain: 'example.com' })).toBe(
      '__Secure-id=v; Domain=example.com; Secure',
    );
  });

  it.each<[string, CookieAttributes, RegExp]>([
    ['no Secure', { path: '/' }, /no Secure/],
    ['no Path', { secure: true }, /no Path/],
    ['Path=/app', { secure: true, path: '/app' }, /Path=\/app/],
    ['a Domain', { secure: true, path: '/', domain: 'example.com' }, /Domain=example\.com/],
  ])('refuses __Host- with %s (RFC 6265bis §4.1.3.2)', (_, attrs, detail) => {
    const msg = cookieError(() => serializeCookie('__Host-id', 'v', attrs)).message;
    expect(msg).toContain('the __Host- prefix requires Secure, Path=/ and no Domain');
    expect(msg).toMatch(detail);
    expect(() => serializeCookie('__host-id', 'v', attrs)).toThrow(CookieError);
  });

  it('limits name + value to 4096 bytes', () => {
    expect(serializeCookie('n', 'x'.repeat(4095))).toHaveLength(4097);
    const msg = cookieError(() => serializeCookie('n', 'x'.repeat(4096))).message;
    expect(msg).toContain('4097 bytes');
    expect(msg).toContain('4096-byte limit');
  });

  it.each([
    '',
    '.',
    'a;b.com',
    'exa mple.com',
    'a..com',
    'bad\0.com',
    'bücher.de',
    'example.com.',
    'a'.repeat(64) + '.com',
  ])('refuses Domain %j', (domain) => {
    expect(cookieError(() => serializeCookie('a', 'b', { domain })).message).toMatch(/Domain/);
  });

  it('accepts hostnames and a leading dot in Domain', () => {
    expect(serializeCookie('a', 'b', { domain: '.sub-1.example.co.uk' })).toBe(
      'a=b; Domain=.sub-1.example.co.uk',
    );
  });

  it.each([
    ['', /start with/],
    ['app', /start with/],
    ['/a;b', /U\+003B/],
    ['/a\nb', /U\+000A/],
    ['/é', /U\+00E9/],
    ['/' + 'a'.repeat(1024), /1024-byte/],
  ])('refuses Path %j', (path, message) => {
    expect(cookieError(() => serializeCookie('a', 'b', { path })).message).toMatch(message);
  });
});

describe('deletionCookie', () => {
  it('expires the cookie with the attributes it was set with', () => {
    expect(deletionCookie('__Host-session', { ...hostAttrs, maxAge: 3600 })).toBe(
      '__Host-session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
    expect(deletionCookie('sid', { domain: 'example.com', path: '/app' })).toBe(
      'sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=/app',
    );
  });

  it('still enforces prefix rules, since the browser would ignore the deletion', () => {
    expect(() => deletionCookie('__Host-session', { secure: true })).toThrow(/__Host-/);
  });
});

describe('parseCookieHeader', () => {
  it('splits, trims and unquotes', () => {
    const map = parseCookieHeader(
      ' a=1 ;b =\t2;c="3"; d=""x""; e="; f=a=b=c ;g=%20;h= ; ;; noeq; =orphan',
    );
    expect([...map]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '"x"'],
      ['e', '"'],
      ['f', 'a=b=c'],
      ['g', '%20'],
      ['h', ''],
    ]);
  });

  it('keeps the first of duplicate names', () => {
    expect(parseCookieHeader('sid=specific; other=1; sid=general').get('sid')).toBe('specific');
    expect(getCookie('sid=specific; other=1; sid=general', 'sid')).toBe('specific');
  });

  it('returns an empty map for absent or non-string headers', () => {
    for (const h of [null, undefined, '', '=', ';;;', '=;=;=', 42, {}, ['a=b']]) {
      expect(parseCookieHeader(h as string).size).toBe(0);
      expect(getCookie(h as string, 'a')).toBeUndefined();
    }
  });

  it('reads at most 100 pairs by default, duplicates included, or maxPairs', () => {
    const header = Array.from({ length: 150 }, (_, i) => `c${i}=${i}`).join('; ');
    const map = parseCookieHeader(header);
    expect(map.size).toBe(100);
    expect(map.get('c99')).toBe('99');
    expect(map.has('c100')).toBe(false);
    expect(getCookie(header, 'c100')).toBeUndefined();
    expect(parseCookieHeader(header, { maxPairs: 3 }).size).toBe(3);
    expect(getCookie(header, 'c120', { maxPairs: 200 })).toBe('120');
    expect(parseCookieHeader(`a=1; a=2; ${header}`, { maxPairs: 3 }).size).toBe(2);
  });

  it('reads only the first 16 KiB and drops a pair cut by the limit', () => {
    const big = `a=${'x'.repeat(16_000)}`;
    const header = `${big}; cut=${'y'.repeat(1000)}; late=1`;
    const map = parseCookieHeader(header);
    expect(map.get('a')).toHaveLength(16_000);
    expect(map.has('cut')).toBe(false);
    expect(map.has('late')).toBe(false);
    expect(getCookie(header, 'late')).toBeUndefined();
    expect(parseCookieHeader(header, { maxLength: 1 << 20 }).get('late')).toBe('1');
    expect(parseCookieHeader('a=1;b=2', { maxLength: 3 })).toEqual(new Map([['a', '1']]));
    expect(parseCookieHeader('a=1;b=2', { maxLength: 2 }).size).toBe(0);
    expect(parseCookieHeader(`s=${'z'.repeat(20_000)}`).size).toBe(0);
  });

  it('stays fast on hostile headers', () => {
    const hostile = [
      ';'.repeat(1 << 20),
      '='.repeat(1 << 20),
      'a'.repeat(1 << 20),
      `${';a'.repeat(1 << 19)}=`,
      'a=b;'.repeat(1 << 18),
    ];
    const start = performance.now();
    for (const h of hostile) {
      expect(() => parseCookieHeader(h, { maxLength: Infinity, maxPairs: Infinity })).not.toThrow();
      expect(() => getCookie(h, 'zz', { maxLength: Infinity, maxPairs: Infinity })).not.toThrow();
    }
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('never throws, and getCookie agrees with it, on arbitrary strings', () => {
    fc.assert(
      fc.property(anyUnit, anyUnit, (header, probe) => {
        const map = parseCookieHeader(header);
        for (const [name, value] of map) expect(getCookie(header, name)).toBe(value);
        expect(getCookie(header, probe)).toBe(map.get(probe));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds every well-formed pair among arbitrary ones, first occurrence winning', () => {
    const pair = fc.oneof(
      fc.tuple(token, cookieValue).map(([n, v]) => ({ n, v, good: true })),
      fc.tuple(anyUnit, anyUnit).map(([n, v]) => ({ n, v, good: false })),
    );
    fc.assert(
      fc.property(
        fc.array(pair, { maxLength: 40 }),
        fc.constantFrom('; ', ';', ' ;\t'),
        (pairs, sep) => {
          const header = pairs.map((p) => `${p.n}=${p.v}`).join(sep);
          const map = parseCookieHeader(header);
          const seen = new Set<string>();
          // A junk pair can hide later ones (its ";" or "=" reshapes the header), so check up to the first junk pair.
          for (const p of pairs) {
            if (!p.good) break;
            if (seen.has(p.n)) continue;
            seen.add(p.n);
            const expected = /^".*"$/s.test(p.v) && p.v.length >= 2 ? p.v.slice(1, -1) : p.v;
            expect(map.get(p.n)).toBe(expected);
            expect(getCookie(header, p.n)).toBe(expected);
          }
          for (const [name, value] of map) expect(getCookie(header, name)).toBe(value);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round-trips what serializeCookie emits', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(token, cookieValue), { selector: ([n]) => n, maxLength: 30 }),
        (pairs) => {
          // A browser sends back the name=value part of each Set-Cookie.
          const header = pairs
            .map(([n, v]) => serializeCookie(n, v, { path: '/', httpOnly: true }).split(';')[0])
            .join('; ');
          const map = parseCookieHeader(header);
          expect(map.size).toBe(pairs.length);
          for (const [n, v] of pairs)
            expect(map.get(n)).toBe(/^".*"$/s.test(v) && v.length >= 2 ? v.slice(1, -1) : v);
        },
      ),
    );
  });
});

describe('resolveSessionCookie', () => {
  it('defaults to __Host-session with HttpOnly, Secure, SameSite=Lax, Path=/', () => {
    const warn = vi.fn();
    const c = resolveSessionCookie({ warn }, { persistent: true });
    expect(c.name).toBe('__Host-session');
    expect(c.development).toBe(false);
    expect(c.serialize('abc', 3600, NOW)).toBe(
      '__Host-session=abc; Max-Age=3600; Expires=Thu, 01 Jan 2026 01:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
    expect(c.serialize('abc', undefined, NOW)).toBe(
      '__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
    expect(c.clear()).toBe(
      '__Host-session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
    expect(c.read('x=1; __Host-session=abc; session=evil')).toBe('abc');
    expect(warn).not.toHaveBeenCalled();
  });

  it('clamps the lifetime to 400 days and refuses a negative one', () => {
    const c = resolveSessionCookie({}, { persistent: true });
    const cap = new Date(NOW + 400 * DAY * 1000).toUTCString();
    expect(c.serialize('abc', 1000 * DAY, NOW)).toContain(`Max-Age=34560000; Expires=${cap};`);
    expect(() => c.serialize('abc', -5, NOW)).toThrow(CookieError);
  });

  it('writes session-only cookies when not persistent', () => {
    const c = resolveSessionCookie({}, { persistent: false });
    expect(c.serialize('abc', 3600, NOW)).toBe(
      '__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
  });

  it('uses __Secure- with a Domain or a non-root Path, and no prefix when asked', () => {
    const d = resolveSessionCookie({ domain: 'example.com' }, { persistent: false });
    expect(d.name).toBe('__Secure-session');
    expect(d.serialize('v')).toBe(
      '__Secure-session=v; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
    expect(d.clear()).toContain('; Domain=example.com; Path=/; Secure');
    expect(resolveSessionCookie({ path: '/app' }, { persistent: false }).name).toBe(
      '__Secure-session',
    );
    expect(resolveSessionCookie({ prefix: 'none', name: 'sid' }, { persistent: false }).name).toBe(
      'sid',
    );
    expect(resolveSessionCookie({ secure: false }, { persistent: false }).name).toBe('session');
    expect(resolveSessionCookie({ name: '__Host-sid' }, { persistent: false }).name).toBe(
      '__Host-sid',
    );
  });

  it('honours SameSite, HttpOnly=false and a custom name', () => {
    const c = resolveSessionCookie(
      { name: 'sid', sameSite: 'Strict', httpOnly: false },
      { persistent: false },
    );
    expect(c.serialize('v')).toBe('__Host-sid=v; Path=/; Secure; SameSite=Strict');
  });

  it('validates at resolve time', () => {
    expect(
      cookieError(() => resolveSessionCookie({ name: 'my session' }, { persistent: true })).message,
    ).toMatch(/token/);
    expect(
      cookieError(() => resolveSessionCookie({ name: '' }, { persistent: true })).message,
    ).toMatch(/empty/);
    expect(() => resolveSessionCookie({ domain: 'a;b' }, { persistent: true })).toThrow(
      CookieError,
    );
    expect(() =>
      resolveSessionCookie({ sameSite: 'None', secure: false }, { persistent: true }),
    ).toThrow(/SameSite=None/);
    expect(() =>
      resolveSessionCookie({ name: '__Host-sid', domain: 'example.com' }, { persistent: true }),
    ).toThrow(/__Host-/);
    expect(() => resolveSessionCookie({ prefix: 'yes' as 'auto' }, { persistent: true })).toThrow(
      CookieError,
    );
  });

  it('falls back to plain HTTP only when development is explicitly true, warning once', () => {
    const warn = vi.fn();
    const c = resolveSessionCookie({ development: true, warn }, { persistent: true });
    expect(c.development).toBe(true);
    expect(c.name).toBe('session');
    expect(c.serialize('v', 60, NOW)).toBe(
      'session=v; Max-Age=60; Expires=Thu, 01 Jan 2026 00:01:00 GMT; Path=/; HttpOnly; SameSite=Lax',
    );
    c.serialize('w', 60, NOW);
    c.clear();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/not Secure and must not be used in production/);

    for (const development of [false, undefined]) {
      const quiet = vi.fn();
      expect(resolveSessionCookie({ development, warn: quiet }, { persistent: true }).name).toBe(
        '__Host-session',
      );
      expect(quiet).not.toHaveBeenCalled();
    }
    expect(() =>
      resolveSessionCookie({ development: true, sameSite: 'None', warn }, { persistent: true }),
    ).toThrow(/SameSite=None/);
  });

  it('warns through console.warn by default', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      resolveSessionCookie({ development: true }, { persistent: true });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
