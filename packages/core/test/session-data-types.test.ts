import { describe, expect, it } from 'vitest';
import { createLatchkey, MemoryStore, presets } from '@latchkey/core';

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
    // tsc (pnpm typecheck) checks these lines: the declared key reads back with its declared type.
    const before: string[] | undefined = session.get('cartForTypeTest');
    expect(before).toBeUndefined();
    // @ts-expect-error a declared key refuses a value of the wrong type
    session.set('cartForTypeTest', 42);
    session.set('cartForTypeTest', ['sku-1']);
    expect(session.get('cartForTypeTest')).toEqual(['sku-1']);
    expect(rs.current?.get('cartForTypeTest')).toEqual(['sku-1']);
  });
});
