/**
 * The request path of @latchkey/core on a MemoryStore, one operation per call:
 * validate a live session (a full `forRequest(req).load()` and `flush()` with
 * its cookie; the clock stands still inside the touch interval, so nothing is
 * written, which is the common case), create one (`login` + `flush`; it is
 * logged out again after each call, untimed, so the store keeps its size),
 * regenerate one (`regenerate` + `flush` on a loaded session), and reject a
 * garbage cookie and a well-formed unknown ID. Imports core's sources, so no
 * build is needed.
 */

import { createLatchkey, MemoryStore, presets } from '../packages/core/src/index.js';
import { ManualClock } from '../packages/core/src/testing/index.js';
import { sink, type Case } from './case.js';
import { MAP_FLOOR, SHA256_FLOOR } from './floors.js';

const URL_ = 'https://app.example/inbox';

/** An engine as an app would configure it (default strict `__Host-` cookie), with `others` other sessions in its store. */
export async function engineWithSessions(others: number) {
  const clock = new ManualClock();
  // The clock stands still, so the short-lived links each regeneration leaves never expire here; this store holds
  // sessions only, so letting it evict the soonest-expiring entry (those links) keeps it at its size.
  const store = new MemoryStore({ clock, whenFull: 'evict-soonest' });
  const latchkey = createLatchkey({ policy: presets.productivity, store, clock });
  const cookieOf = async (userId: string) => {
    const rs = latchkey.forRequest(new Request(URL_));
    await rs.login(userId);
    const { setCookie } = await rs.flush();
    return setCookie[0]!.split(';')[0]!;
  };
  for (let i = 0; i < others; i++) await cookieOf(`user-${i}`);
  return { latchkey, cookie: await cookieOf('alice'), cookieOf };
}

export async function sessionCases(): Promise<Case[]> {
  const { latchkey, cookie, cookieOf } = await engineWithSessions(1000);
  const live = new Request(URL_, { headers: { cookie } });
  const check = latchkey.forRequest(live);
  if (!(await check.load()).valid) throw new Error('bench setup: the live session did not load');
  // Inside the touch interval a read writes nothing and sets no cookie: that is the case measured.
  if ((await check.flush()).setCookie.length > 0)
    throw new Error('bench setup: a read inside the touch interval set a cookie');

  const garbage = new Request(URL_, {
    headers: { cookie: `__Host-session=${'%00'.repeat(8)}<script>; theme=dark` },
  });
  const unknown = new Request(URL_, { headers: { cookie: `__Host-session=${'A'.repeat(43)}` } });
  const anonymous = new Request(URL_);

  // Each login's session is logged out again after it, untimed, so the store stays at its size.
  let created: ReturnType<typeof latchkey.forRequest> | undefined;
  let n = 0;

  // Regeneration chains on one loaded session of its own: each call replaces the session the previous call made.
  const regenerating = latchkey.forRequest(
    new Request(URL_, { headers: { cookie: await cookieOf('bob') } }),
  );
  if (!(await regenerating.load()).valid)
    throw new Error('bench setup: the session to regenerate did not load');

  return [
    {
      name: 'validate a live session',
      floor: SHA256_FLOOR,
      fn: async () => {
        const rs = latchkey.forRequest(live);
        const outcome = await rs.load();
        if (!outcome.valid) throw new Error('live session rejected');
        sink.value = await rs.flush();
      },
    },
    {
      name: 'create one (login)',
      floor: SHA256_FLOOR,
      fn: async () => {
        created = latchkey.forRequest(anonymous);
        await created.login(`new-user-${n++}`);
        sink.value = await created.flush();
      },
      afterEach: async () => {
        await created?.logout();
      },
    },
    {
      name: 'regenerate one',
      floor: SHA256_FLOOR,
      fn: async () => {
        await regenerating.regenerate();
        sink.value = await regenerating.flush();
      },
    },
    {
      name: 'reject a garbage cookie',
      floor: MAP_FLOOR,
      fn: async () => {
        const outcome = await latchkey.forRequest(garbage).load();
        if (outcome.valid) throw new Error('garbage accepted');
        sink.value = outcome;
      },
    },
    {
      name: 'reject an unknown well-formed ID',
      floor: SHA256_FLOOR,
      fn: async () => {
        const outcome = await latchkey.forRequest(unknown).load();
        if (outcome.valid) throw new Error('unknown ID accepted');
        sink.value = outcome;
      },
    },
  ];
}
