/**
 * Profile bench apps under load: the server process profiles itself (the
 * inspector's Profiler) while autocannon drives one app for a few seconds,
 * and the busiest functions are printed, per request, with the difference
 * from a second app (its floor, say).
 * `node --import tsx bench/tools/profile.ts lk-express floor-express-map [seconds]`
 */

import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../bundle.js';
import type { Started } from '../http/apps/serve.js';
import { measure, warmUp } from '../http/load.js';

const [id = 'lk-memory', other = 'floor-map', secondsArg = '4'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'latchkey-prof-'));
const child = fork(await bundle('./http/server.ts'), [], {
  env: {
    ...process.env,
    BENCH_SERVER_APPS: `${id},${other}`,
    BENCH_SERVER_ENV: JSON.stringify({ dir }),
  },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const reply = (type: string) =>
  new Promise<{ started?: Record<string, Started> }>((resolve) => {
    const on = (m: { type: string; started?: Record<string, Started> }) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
const { started } = (await reply('ready')) as { started: Record<string, Started> };

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
/** µs of self time per request, by function. */
async function profileOf(app: string): Promise<Map<string, number>> {
  const { port, request } = started[app]!;
  await warmUp(port, request, 1);
  const file = join(dir, `${app}.cpuprofile`);
  const on = reply('profiling');
  child.send({ type: 'profile-start' });
  await on;
  const run = await measure(port, request, Number(secondsArg), child.pid!);
  const off = reply('profiled');
  child.send({ type: 'profile-stop', file });
  await off;
  console.log(`${app}: ${Math.round(run.rps)} req/s, server ${run.cpuUs.toFixed(1)} CPU µs/req`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const self = new Map<number, number>();
  profile.samples.forEach((n, i) => self.set(n, (self.get(n) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    const { functionName, url } = node.callFrame;
    const short = url
      .replace(/^.*node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1:')
      .replace(/^file:\/\/\/work\/[^/]+\//, '');
    const key = `${functionName || '(anonymous)'} ${short}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t / run.requests);
  }
  return byFn;
}
const a = await profileOf(id);
const b = await profileOf(other);
child.kill();
const keys = new Set([...a.keys(), ...b.keys()]);
const rows = [...keys].map((k) => [k, a.get(k) ?? 0, b.get(k) ?? 0] as const);
const show = (list: (readonly [string, number, number])[]) =>
  list
    .map(
      ([k, x, y]) =>
        `${x.toFixed(2).padStart(7)} ${y.toFixed(2).padStart(7)} ${(x - y).toFixed(2).padStart(7)}  ${k}`,
    )
    .join('\n');
console.log(`\nµs/req self time: ${id}, ${other}, difference; busiest in ${id}:`);
console.log(show([...rows].sort((p, q) => q[1] - p[1]).slice(0, 25)));
console.log(`\nlargest differences:`);
console.log(show([...rows].sort((p, q) => q[1] - q[2] - (p[1] - p[2])).slice(0, 25)));
