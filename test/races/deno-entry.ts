/**
 * Runs inside Deno (bundled by deno.test.ts): every race case against
 * `denoKvStore` on a real Deno KV (`:memory:`, the store judging deadlines on
 * each case's ManualClock), then prints a JSON report.
 */
import { denoKvStore, type DenoKvLike } from '../../adapters/deno/src/index.js';
import { reportMarker } from '../runtimes/report.js';
import { runRaceCases } from './race-cases.js';

type Kv = DenoKvLike & { close(): void };
declare const Deno: { openKv(path?: string): Promise<Kv> };

const kv = await Deno.openKv(':memory:');
const races = await runRaceCases(({ clock }) => ({
  store: denoKvStore(kv, { clock, prefix: 'races' }),
}));
kv.close();
console.log(reportMarker + JSON.stringify({ races }));
