/**
 * The command: arguments, the audit, the report and the exit status:
 * 0 clean, 1 failures at or above `--fail-on`, 2 misuse, 3 the audit could not finish.
 */

import type { AuditOptions } from './audit.js';
import { parseArgs, USAGE, type CliOptions } from './cli-args.js';
import { AuditError } from './http.js';
import type { Recipe } from './recipe.js';
import { renderJson, renderText, summarize, type AuditReport } from './report.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => string;
  /** The audit to run (the real one by default; tests may pass their own). */
  audit: (recipe: Recipe, options: AuditOptions) => Promise<AuditReport>;
}

/**
 * Runs the command; resolves to the exit status. Never throws.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout, stderr, readFile, audit });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv, io.env, io.readFile);
  } catch (error) {
    io.stderr(`latchkey-audit: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  try {
    const ca = options.caFile !== undefined ? io.readFile(options.caFile) : undefined;
    const report = await io.audit(options.recipe, {
      ...(ca !== undefined ? { ca } : {}),
      log: (line) => io.stderr(`latchkey-audit: ${line}\n`),
    });
    const summaryOptions = { allowPlainHttp: options.allowPlainHttp };
    io.stdout(
      options.json
        ? renderJson(report, options.failOn, summaryOptions)
        : renderText(report, options.failOn, summaryOptions),
    );
    return summarize(report, options.failOn, summaryOptions).blocking > 0 ? 1 : 0;
  } catch (error) {
    const code = error instanceof AuditError ? error.code : 'ERR_AUDIT_UNREACHABLE';
    io.stderr(`latchkey-audit: error: ${(error as Error).message}\n`);
    return code === 'ERR_AUDIT_USAGE' ? 2 : 3;
  }
}
