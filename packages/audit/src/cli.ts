/**
 * The `latchkey-audit` binary: `runCli` on this process's arguments,
 * environment and standard streams.
 */

import { readFileSync } from 'node:fs';
import { runCli } from './run-cli.js';
import { audit } from './audit.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path, 'utf8'),
  audit,
});
