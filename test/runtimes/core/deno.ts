/** Deno entry: run the core unit suite and print the report. */
import { runCoreTests } from './run-core-tests.js';
import { reportMarker } from '../report.js';

console.log(reportMarker + JSON.stringify(await runCoreTests()));
