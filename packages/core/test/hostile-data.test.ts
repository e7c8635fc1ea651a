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
});
