import { describe, expect, expectTypeOf, it } from 'vitest';
import { createLatchkey, MemoryStore, presets, type Session } from '@latchkey/core';

declare module '@latchkey/core' {
  interface SessionData {
    /** Declared once by the app: every session, in every adapter, sees it typed. */
    cartForTypeTest?: string[];
  }
}

describe('typed session data', () => {
  it('keys declared on the augmentable SessionData interface are typed on every session', async () => {
    const latchkey = createLatchkey({ policy: presets.productivity, store: new MemoryStore() });
    const rs = latchkey.forRequest(new Request('https://app.example/'));
    const session = await rs.login('ada');
    expectTypeOf(session.get('cartForTypeTest')).toEqualTypeOf<string[] | undefined>();
    // @ts-expect-error a declared key refuses a value of the wrong type
    session.set('cartForTypeTest', 42);
    session.set('cartForTypeTest', ['sku-1']);
    expect(session.get('cartForTypeTest')).toEqual(['sku-1']);
    expectTypeOf(rs.current).toEqualTypeOf<Session | null>();
  });
});
