/**
 * The request path on the SQLite store (sqliteStore on a temp file, WAL,
 * synchronous=NORMAL) against the same operations on the MemoryStore in the
 * same run: validating a live session and logging in, each case's floor being
 * its MemoryStore twin from session-ops.ts. Same set-up as there: 1000 other
 * sessions, the clock standing still inside the touch interval.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '../adapters/sql/src/libsql.js';
import { createLatchkey, presets } from '../packages/core/src/index.js';
import { ManualClock } from '../packages/core/src/testing/index.js';
import { sink, type Case } from './case.js';

const URL_ = 'https://app.example/inbox';
export const SQLITE_READ = 'validate a live session, SQLite store';
export const SQLITE_LOGIN = 'create one (login), SQLite store';
// The MemoryStore cases of session-ops.ts these are measured against.
export const MEMORY_READ = 'validate a live session';
export const MEMORY_LOGIN = 'create one (login)';

export async function sqlCases(): Promise<Case[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const clock = new ManualClock();
  const store = sqliteStore({ url: `file:${join(dir, 'sessions.db')}`, clock });
  const latchkey = createLatchkey({ policy: presets.productivity, store, clock });
  const cookieOf = async (userId: string) => {
    const rs = latchkey.forRequest(new Request(URL_));
    await rs.login(userId);
    const { setCookie } = await rs.flush();
    return setCookie[0]!.split(';')[0]!;
  };
  for (let i = 0; i < 1000; i++) await cookieOf(`user-${i}`);
  const live = new Request(URL_, { headers: { cookie: await cookieOf('alice') } });
  const check = latchkey.forRequest(live);
  if (!(await check.load()).valid) throw new Error('bench setup: the live session did not load');
  if ((await check.flush()).setCookie.length > 0)
    throw new Error('bench setup: a read inside the touch interval set a cookie');

  const anonymous = new Request(URL_);
  let created: ReturnType<typeof latchkey.forRequest> | undefined;
  let n = 0;
  return [
    {
      name: SQLITE_READ,
      floor: MEMORY_READ,
      fn: async () => {
        const rs = latchkey.forRequest(live);
        const outcome = await rs.load();
        if (!outcome.valid) throw new Error('live session rejected');
        sink.value = await rs.flush();
      },
    },
    {
      name: SQLITE_LOGIN,
      floor: MEMORY_LOGIN,
      fn: async () => {
        created = latchkey.forRequest(anonymous);
        await created.login(`new-user-${n++}`);
        sink.value = await created.flush();
      },
      // Logged out again, untimed, so the table keeps its size.
      afterEach: async () => {
        await created?.logout();
      },
    },
  ];
}
