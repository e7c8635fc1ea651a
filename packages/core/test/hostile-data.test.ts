/**
 * Data a client controls, stored by the engine: session keys chosen from
 * input, and device facts taken from headers. Neither may change the shape of
 * what is stored or grow it without bound.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createLatchkey } from '../src/engine.js';
import { presets } from '../src/presets.js';
import { applyPatch } from '../src/session.js';
import { MemoryStore } from '../src/store/memory.js';

describe('hostile session data and device facts', () => {
  it('a key named __proto__ is stored as data, not as the prototype, when tabs merge', () => {
    const merged = applyPatch<Record<string, unknown>>(
      { theme: 'dark' },
      new Map<string, unknown>([['__proto__', { isAdmin: true }]]),
    );
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect((merged as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.keys(merged)).toEqual(['theme', '__proto__']);
    expect(JSON.parse(JSON.stringify(merged))).toMatchObject({ theme: 'dark' });
  });

  it('device facts from headers are bounded before they are stored (user agent 512, IP 64 characters)', async () => {
    const clock = new ManualClock();
    const latchkey = createLatchkey({
      policy: presets.banking,
      store: new MemoryStore({ clock }),
      clock,
    });
    const request = new Request('https://app.example/login', {
      method: 'POST',
      headers: { 'user-agent': 'U'.repeat(10_000) },
    });
    const rs = latchkey.forRequest(request, { ip: ` ${'1.2.3.4, '.repeat(2_000)}` });
    const session = await rs.login('ada');
    const [listed] = await latchkey.listSessions('ada', session.handle);
    expect(listed?.device.userAgent).toHaveLength(512);
    expect(listed?.device.ip?.length).toBe(64);
    expect(listed?.device.ip?.startsWith('1.2.3.4')).toBe(true);
  });

  it('a value nested deeper than 64 levels, a cycle, a bigint, NaN or a class instance is a TypeError at set(), and the session keeps what it had', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const latchkey = createLatchkey({ policy: presets.productivity, store, clock });
    const rs = latchkey.forRequest(new Request('https://app.example/login', { method: 'POST' }));
    await rs.load();
    const session = await rs.login('ada');
    session.set('theme', 'dark');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    let ok: unknown = 'bottom';
    for (let i = 0; i < 63; i++) ok = [ok];
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const shared = { x: 1 };
    for (const [value, says] of [
      [deep, /nested deeper than 64 levels/],
      [cycle, /cycle/],
      [{ n: 10n }, /bigint/],
      [[1, Number.NaN], /NaN is not a JSON number/],
      [{ when: new Date(0) }, /Date would come back as something else/],
      [new Map(), /Map would come back/],
      [() => 1, /function/],
    ] as const) {
      expect(() => session.set('bad', value as never), String(says)).toThrow(TypeError);
      expect(() => session.set('bad', value as never)).toThrow(says);
    }
    session.set('ok', ok as never); // 64 levels: fine
    session.set('twice', [shared, shared] as never); // the same object twice is not a cycle
    const response = await rs.commit(new Response('ok'));
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
    const again = latchkey.forRequest(new Request('https://app.example/', { headers: { cookie } }));
    const outcome = await again.load();
    expect(outcome.valid && outcome.session.data).toEqual({
      theme: 'dark',
      ok,
      twice: [{ x: 1 }, { x: 1 }],
    });
  });
});
