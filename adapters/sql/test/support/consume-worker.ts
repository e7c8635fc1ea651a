/**
 * One of the processes in sqlite-processes.test.ts: opens the SQLite file at
 * DB_URL, says `ready`, waits for `go` on stdin, then consumes keys k0…k(N-1)
 * in its own random order and prints the ones it got as JSON.
 */
import { sqliteStore } from '../../src/libsql.js';

const url = process.env.DB_URL;
const count = Number(process.env.KEYS);
if (!url || !Number.isInteger(count)) throw new Error('consume-worker needs DB_URL and KEYS');

const store = sqliteStore({ url, statementTimeout: 10_000 });
await store.get('warm-up'); // open, migrate and set the pragmas before the race starts
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));

const order = Array.from({ length: count }, (_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const got: string[] = [];
for (const i of order) {
  const value = await store.consume(`k${i}`);
  if (value !== null) got.push(value);
}
store.close();
process.stdout.write(`${JSON.stringify(got)}\n`);
