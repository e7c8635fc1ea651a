/** The micro-benchmarks in a process of their own, from the bundle (bundle.ts); results go back over IPC. */
import { runMicro } from './micro.js';

const settings = JSON.parse(process.env.BENCH_MICRO ?? '{}') as { time: number; rounds: number };
process.send!({ type: 'micro', rows: await runMicro(settings) });
