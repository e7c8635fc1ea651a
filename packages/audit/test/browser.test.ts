import { describe, expect, it } from 'vitest';
import { CookieJar, readLoginForm } from '../src/browser.js';

describe('readLoginForm', () => {
  it('takes the form with a password input, its action and its hidden fields (entities decoded), not checkboxes', () => {
    const html = `
      <form action="/search"><input name="q" value="x"></form>
      <FORM method=post action="/session?next=%2F&amp;x=1">
        <input type="hidden" name="csrf" value="t&quot;k">
        <input name="username"><input type=checkbox name=remember value=1 checked>
        <input type="password" name="password"><button>Sign in</button>
      </FORM>`;
    expect(readLoginForm(html)).toEqual({
      action: '/session?next=%2F&x=1',
      fields: { csrf: 't"k' },
    });
  });

  it('returns null without a form, and stays linear on a hostile page', () => {
    expect(readLoginForm('<p>no form</p>')).toBeNull();
    expect(readLoginForm('<form '.repeat(100_000))).toBeNull();
  });
});

describe('CookieJar', () => {
  const url = new URL('https://app.example/account/settings');
  const now = Date.UTC(2026, 0, 1);

  it('keeps cookies by name and path, sends those whose path matches, longest path first (RFC 6265bis §5.8.3)', () => {
    const jar = new CookieJar();
    jar.apply(['a=1; Path=/', 'b=2', 'c=3; Path=/spa/auth', 'a=4; Path=/account'], url, now);
    // b's default path is the request's directory: /account.
    expect(jar.header(new URL('https://app.example/account/x'))).toBe('b=2; a=4; a=1'); // equal paths: earlier created first;
    expect(jar.header(new URL('https://app.example/'))).toBe('a=1');
    expect(jar.header(new URL('https://app.example/spa/auth/refresh'))).toBe('c=3; a=1');
    expect(jar.header(new URL('https://app.example/spa/authx'))).toBe('a=1');
  });

  it('deletes on Max-Age=0 or a past Expires, and ignores lines a browser ignores', () => {
    const jar = new CookieJar();
    jar.apply(['sid=1; Path=/', 'other=2; Path=/'], url, now);
    jar.apply(
      [
        'sid=; Path=/; Max-Age=0',
        `other=; Path=/; Expires=${new Date(now - 1000).toUTCString()}`,
        'bad\u0001=x',
      ],
      url,
      now,
    );
    expect(jar.names()).toEqual([]);
  });
});
