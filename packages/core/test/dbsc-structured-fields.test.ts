import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  challengeHeader,
  parseItem,
  parseList,
  readProof,
  readSessionId,
  readSkipped,
  registrationHeader,
  sfString,
  sfToken,
} from '@latchkey/core/dbsc';

const str = (value: string) => ({ kind: 'string', value });
const tok = (value: string) => ({ kind: 'token', value });

describe('RFC 9651 structured fields, the DBSC subset', () => {
  it('parses every Secure-Session-Registration example of the spec', () => {
    const [one] = parseList('(ES256);path="reg";challenge="cv";authorization="ac"')!;
    expect(one).toEqual({
      inner: true,
      items: [{ item: tok('ES256'), params: new Map() }],
      params: new Map([
        ['path', str('reg')],
        ['challenge', str('cv')],
        ['authorization', str('ac')],
      ]),
    });
    expect(parseList('(ES256 RS256);path="reg";challenge="cv"')![0]).toMatchObject({
      items: [{ item: tok('ES256') }, { item: tok('RS256') }],
    });
    // Two field lines, as Headers.get() joins them, and one line with two members, are the same list.
    const joined = new Headers();
    joined.append('x', '(ES256);path="reg1";challenge="cv1";authorization="a"');
    joined.append('x', '(RS256);path="reg2";challenge="cv2";authorization="b"');
    expect(parseList(joined.get('x'))).toEqual(
      parseList(
        '(ES256);path="reg1";challenge="cv1";authorization="a", (RS256);path="reg2";challenge="cv2";authorization="b"',
      ),
    );
    expect(parseList(joined.get('x'))).toHaveLength(2);
    const provider = parseList(
      '(ES256);path="reg1";challenge="cv1";provider_key="abc";provider_session_id="idp_id";provider_url="https://id_origin.example.com"',
    )!;
    expect(provider[0]!.params.get('provider_url')).toEqual(str('https://id_origin.example.com'));
  });

  it('parses the challenge and skipped examples', () => {
    expect(parseItem('"new challenge";id="my session"')).toEqual({
      item: str('new challenge'),
      params: new Map([['id', str('my session')]]),
    });
    expect(parseList('"c1";id="session 1", "c2";id="session 2"')).toHaveLength(2);
    const headers = new Headers({
      'secure-session-skipped':
        'unreachable;session_identifier="123", quota_exceeded;session_identifier="456"',
    });
    expect(readSkipped(headers)).toEqual([
      { reason: 'unreachable', sessionIdentifier: '123' },
      { reason: 'quota_exceeded', sessionIdentifier: '456' },
    ]);
  });

  it('refuses what breaks the grammar, as a whole field', () => {
    for (const bad of [
      '(ES256',
      '(ES256);path="reg',
      '"a\\x"',
      '"caf\u00e9"',
      'a,',
      'a,,b',
      '(ES256);Path="x"',
      '(ES256)x',
      '"a" "b"',
      '1.5',
      '1234567890123456',
      '?2',
      ':YWJj:',
    ])
      expect(parseList(bad), bad).toBeNull();
    expect(parseList('')).toEqual([]);
    expect(parseItem('"a" x')).toBeNull();
  });

  it('reads escapes, booleans, integers and tokens with : and /', () => {
    expect(parseItem('"a\\"b\\\\c"')!.item).toEqual(str('a"b\\c'));
    expect(
      parseList('a;flag, ?0, -42, foo:bar/baz')!.map((m) => (m.inner ? null : m.item)),
    ).toEqual([
      tok('a'),
      { kind: 'boolean', value: false },
      { kind: 'integer', value: -42 },
      tok('foo:bar/baz'),
    ]);
    expect(parseList('a;flag')![0]!.params.get('flag')).toEqual({ kind: 'boolean', value: true });
  });

  it('serializes strings that parse back to themselves, and refuses what an sf-string cannot carry', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x20-\x7e]*$/), (s) => {
        expect(parseItem(sfString(s))!.item).toEqual(str(s));
      }),
    );
    expect(() => sfString('line\nbreak')).toThrow(RangeError);
    expect(() => sfToken('1abc')).toThrow(RangeError);
  });

  it('writes the registration and challenge headers in the spec shape', () => {
    const header = registrationHeader({
      algorithms: ['ES256', 'RS256'],
      path: '/dbsc/register',
      challenge: 'c"1',
    });
    expect(header).toBe('(ES256 RS256);path="/dbsc/register";challenge="c\\"1"');
    expect(parseList(header)![0]!.params.get('challenge')).toEqual(str('c"1'));
    expect(challengeHeader('c2', 'S1')).toBe('"c2";id="S1"');
  });

  it('reads the proof and the session id quoted (the spec) or bare (what Chromium 156 sends)', () => {
    const jws = 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJjdiJ9.c2ln';
    for (const value of [`"${jws}"`, jws])
      expect(readProof(new Headers({ 'secure-session-response': value }))).toBe(jws);
    for (const value of ['"S-1_x"', 'S-1_x', '-starts-with-dash'])
      expect(readSessionId(new Headers({ 'sec-secure-session-id': value }))).toBe(
        value.replace(/"/g, ''),
      );
    expect(readProof(new Headers({ 'secure-session-response': 'not a jws' }))).toBeNull();
    expect(readSessionId(new Headers({ 'sec-secure-session-id': '"has space"' }))).toBeNull();
    expect(readSessionId(new Headers())).toBeNull();
  });
});
