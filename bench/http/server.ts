/**
 * The server process of the HTTP benchmarks, pinned to one core by the
 * parent: it starts every app it is asked for (each on its own loopback
 * port), signs each in, reports their ports and requests over IPC, and then
 * only serves. `{ type: 'counters' }` answers with the SQL query counters.
 */

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { floorApps } from './apps/floors.js';
import { latchkeyApps } from './apps/latchkey.js';
import { peerApps } from './apps/peers.js';
import type { App, AppEnv } from './apps/env.js';
import { counters, type Started } from './apps/serve.js';

const apps: Record<string, App> = { ...floorApps, ...latchkeyApps, ...peerApps };
const env = JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as AppEnv;
const ids = (process.env.BENCH_SERVER_APPS ?? '').split(',').filter(Boolean);

// bench/tools/profile.ts: a CPU profile of the measured run only (no start-up, no warm-up).
const inspector = new Session();
let connected = false;
const post = (method: string) =>
  new Promise<unknown>((resolve, reject) =>
    inspector.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );

process.on('message', (message: { type: string; file?: string }) => {
  if (message.type === 'profile-start') {
    if (!connected) inspector.connect();
    connected = true;
    void post('Profiler.enable')
      .then(() => post('Profiler.start'))
      .then(() => process.send!({ type: 'profiling' }));
  }
  if (message.type === 'profile-stop')
    void post('Profiler.stop').then((result) => {
      writeFileSync(message.file!, JSON.stringify((result as { profile: unknown }).profile));
      process.send!({ type: 'profiled' });
    });
  if (message.type === 'counters')
    process.send!({ type: 'counters', counters: Object.fromEntries(counters) });
});

try {
  const started: Record<string, Started> = {};
  for (const id of ids) {
    const app = apps[id];
    if (!app) throw new Error(`no app named ${id}`);
    try {
      started[id] = await app(env);
    } catch (error) {
      throw new Error(`bench setup of ${id} failed`, { cause: error });
    }
  }
  process.send!({ type: 'ready', started });
} catch (error) {
  console.error(error);
  process.send!({ type: 'failed', message: String((error as Error)?.stack ?? error) });
  process.exit(1);
}
