/**
 * The `{ v, e }` envelope stores on coarse-TTL backends share: what counts as
 * live, and that anything not an envelope fails closed instead of reading as absent.
 */
import { describe, expect, it } from 'vitest';
import { envelope, openEnvelope, parseEnvelope } from '@latchkey/core/store';

describe('envelope', () => {
  it('returns the value before its deadline and null from the deadline on, as object or JSON text', () => {
    const stored = envelope('{"v":1}', 1_000);
    for (const raw of [stored, JSON.stringify(stored)]) {
      expect(openEnvelope(raw, 999, 'test')).toBe('{"v":1}');
      expect(openEnvelope(raw, 1_000, 'test')).toBeNull();
    }
  });

  it('reads nothing stored as absent', () => {
    expect([openEnvelope(null, 0, 'test'), openEnvelope(undefined, 0, 'test')]).toEqual([
      null,
      null,
    ]);
  });

  it.each([
    ['plain text', 'not json'],
    ['foreign JSON', '{"v":1}'],
    ['a bare string value', '"hello"'],
    ['a number', 42],
    ['an array', ['v', 1]],
    ['no deadline', { v: 'x' }],
    ['a deadline that never comes', { v: 'x', e: Number.POSITIVE_INFINITY }],
    ['a deadline that is not a number', { v: 'x', e: Number.NaN }],
  ])('refuses %s with a decode StoreError naming the store', (_, raw) => {
    expect(() => openEnvelope(raw, 0, 'myStore')).toThrow(
      expect.objectContaining({
        code: 'ERR_STORE_UNAVAILABLE',
        operation: 'decode',
        message: expect.stringContaining('not written by myStore'),
      }),
    );
    expect(parseEnvelope(raw)).toBeUndefined();
  });

  it('keeps values byte for byte, whatever they look like', () => {
    for (const v of ['', '0', 'null', 'base64:aGk=', '\u0000\u2028é', ' {"e":1} '])
      expect(openEnvelope(JSON.stringify(envelope(v, 10)), 0, 'test')).toBe(v);
  });
});
