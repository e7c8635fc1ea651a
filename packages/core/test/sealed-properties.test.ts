/**
 * Sealed and server-side sessions under one policy mean the same thing: over
 * random timelines of requests (gaps often landing exactly on a deadline or a
 * touch interval), a browser holding a sealed cookie and one holding a
 * server-side session ID are accepted and refused at exactly the same
 * moments, and for the same reason (idle or absolute) while the server still
 * remembers why.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createLatchkey } from '../src/engine.js';
import type { LoadOutcome } from '../src/outcome.js';
import type { PolicyOptions } from '../src/policy.js';
import { createSealedSessions } from '../src/sealed/sealed-sessions.js';
import { MemoryStore } from '../src/store/memory.js';

const MIN = 60_000;
const policy: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '2h',
  touchInterval: '5m',
  renewInterval: false,
  expiryNotice: '15m',
};

/** A one-cookie jar: the first Set-Cookie wins, Max-Age=0 deletes. */
function jar(name: string) {
  let value: string | undefined;
  return {
    header: () => (value === undefined ? undefined : `${name}=${value}`),
    take(lines: string[]) {
      for (const line of lines) {
        const [pair = ''] = line.split(';');
        if (!pair.startsWith(`${name}=`)) continue;
        value = /;\s*Max-Age=0(;|$)/.test(line) ? undefined : pair.slice(name.length + 1);
      }
    },
  };
}

const gap = fc.oneof(
  fc.integer({ min: 0, max: 40 * MIN }),
  fc.constantFrom(5 * MIN, 30 * MIN, 30 * MIN - 1, 30 * MIN + 1, 2 * 60 * MIN),
);
const verdict = (o: LoadOutcome) => (o.valid ? 'valid' : o.reason);

describe('sealed sessions agree with server-side sessions', () => {
  it('same verdict at every request of a random timeline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gap, login: fc.boolean() }), { minLength: 1, maxLength: 15 }),
        async (steps) => {
          const clock = new ManualClock();
          const server = createLatchkey({ policy, store: new MemoryStore({ clock }), clock });
          const sealed = createSealedSessions({
            policy,
            secrets: ['p'.repeat(32)],
            clock,
            cache: { maxEntries: 4 },
          });
          const serverJar = jar('__Host-session');
          const sealedJar = jar(sealed.cookieName);
          for (const step of steps) {
            clock.advance(step.gap);
            const make = (header: string | undefined) =>
              new Request('https://app.example/', { headers: header ? { cookie: header } : {} });
            const a = server.forRequest(make(serverJar.header()));
            const b = sealed.forRequest(make(sealedJar.header()));
            const [oa, ob] = [await a.load(), await b.load()];
            const [va, vb] = [verdict(oa), verdict(ob)];
            // The server forgets an expired session after expiryNotice ('unknown'); the sealed cookie still says why.
            if (va === 'unknown') expect(vb).toMatch(/^expired-/);
            else expect(vb).toBe(va);
            if (!oa.valid && step.login) {
              await a.login('ada');
              await b.login('ada');
            }
            serverJar.take((await a.commit(new Response('ok'))).headers.getSetCookie());
            sealedJar.take((await b.commit(new Response('ok'))).headers.getSetCookie());
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
