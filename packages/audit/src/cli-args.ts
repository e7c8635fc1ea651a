/**
 * The command line's arguments: flags (and an optional recipe file with the
 * same keys) into a recipe and the output options; misuse is a `UsageError`
 * naming the flag. `run-cli.ts` runs the audit with them.
 */

import { SEVERITIES, type Severity } from './checks.js';
import { AuditError } from './http.js';
import type { Recipe } from './recipe.js';

export interface CliOptions {
  recipe: Recipe;
  json: boolean;
  failOn: Severity | 'none';
  /** On a plain-HTTP target, cookie-secure and cookie-prefix failures do not fail the run. */
  allowPlainHttp: boolean;
  /** A PEM file of extra trusted CAs. */
  caFile?: string;
  help: boolean;
}

export const USAGE = `usage: latchkey-audit <url> --protected <url> [options]

  <url>                     the app; its origin is the only one the audit contacts
  --login <url>             GET shows the login form, POST signs in (default /login)
  --form | --json-body      post the fields as a form (default, after reading the form) or as JSON
  --field name=value        a field to post; repeatable; value env:NAME reads the environment
  --protected <url>         answers 2xx only when signed in (required)
  --logout <url>            POST signs out (without it the logout checks are n/a)
  --origin <url>            the Origin the app expects on its own POSTs (default: the target's)
  --samples N               logins to collect session IDs from (default 16)
  --idle-timeout <dur>      the idle timeout the app claims (e.g. 30m)
  --absolute-timeout <dur>  the absolute timeout the app claims (e.g. 24h)
  --clock-hook <url>        POST {"advanceMs": n} moves the app's clock, to test the timeouts at once
  --wait                    test the timeouts by waiting them out in real time
  --recipe <file.json>      the same keys in a file (flags win)
  --ca <file.pem>           trust this CA too (a self-signed development certificate)
  --json                    print the report as JSON
  --fail-on <severity>      low | medium | high | critical | none (default high)
  --allow-plain-http        on an http:// target, cookie-secure and cookie-prefix do not fail the run
  -h, --help                this text

exit status: 0 no failure at or above --fail-on, 1 some, 2 misuse, 3 the audit could not finish`;

export class UsageError extends AuditError {
  constructor(message: string) {
    super('ERR_AUDIT_USAGE', message);
  }
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * `30m`, `90s`, `24h`, `1d`, `1500ms` → ms; anything else is a `UsageError` naming `flag`.
 *
 * @example
 * parseDuration('--idle-timeout', '30m') // 1800000
 */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)$/.exec(String(text).trim());
  if (!m)
    throw new UsageError(
      `${flag}: a duration such as 90s, 30m, 24h or 1d, got ${JSON.stringify(text)}`,
    );
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

function fieldValue(flag: string, value: string, env: Record<string, string | undefined>): string {
  if (!value.startsWith('env:')) return value;
  const name = value.slice(4);
  const found = env[name];
  if (found === undefined)
    throw new UsageError(`${flag}: the environment variable ${name} is not set`);
  return found;
}

/**
 * Parses the arguments (without `node` and the script); throws `UsageError` naming the flag.
 *
 * @example
 * parseArgs(['http://localhost:3000', '--protected', '/api/me'], {}).recipe.protected // '/api/me'
 */
export function parseArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = () => {
    throw new UsageError('--recipe: cannot read files here');
  },
): CliOptions {
  const flags: Partial<Recipe> & { fields: Record<string, string> } = { fields: {} };
  let file: Record<string, unknown> = {};
  let json = false;
  let help = false;
  let allowPlainHttp = false;
  let failOn: Severity | 'none' = 'high';
  let caFile: string | undefined;
  let target: string | undefined;
  const args = [...argv];
  const value = (flag: string): string => {
    const v = args.shift();
    if (v === undefined || (v.startsWith('--') && v.length > 2))
      throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    switch (arg) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '--login':
        flags.login = value(arg);
        break;
      case '--protected':
        flags.protected = value(arg);
        break;
      case '--logout':
        flags.logout = value(arg);
        break;
      case '--origin':
        flags.origin = value(arg);
        break;
      case '--clock-hook':
        flags.clockHook = value(arg);
        break;
      case '--form':
        flags.body = 'form';
        break;
      case '--json-body':
        flags.body = 'json';
        break;
      case '--wait':
        flags.wait = true;
        break;
      case '--json':
        json = true;
        break;
      case '--allow-plain-http':
        allowPlainHttp = true;
        break;
      case '--ca':
        caFile = value(arg);
        break;
      case '--field': {
        const v = value(arg);
        const eq = v.indexOf('=');
        if (eq <= 0) throw new UsageError(`--field: expected name=value, got ${JSON.stringify(v)}`);
        flags.fields[v.slice(0, eq)] = fieldValue(arg, v.slice(eq + 1), env);
        break;
      }
      case '--samples': {
        const v = value(arg);
        if (!/^\d+$/.test(v))
          throw new UsageError(`--samples: a whole number, got ${JSON.stringify(v)}`);
        flags.samples = Number(v);
        break;
      }
      case '--idle-timeout':
        flags.idleTimeoutMs = parseDuration(arg, value(arg));
        break;
      case '--absolute-timeout':
        flags.absoluteTimeoutMs = parseDuration(arg, value(arg));
        break;
      case '--fail-on': {
        const v = value(arg);
        if (v !== 'none' && !(SEVERITIES as readonly string[]).includes(v))
          throw new UsageError(
            `--fail-on: one of ${SEVERITIES.join(', ')}, none; got ${JSON.stringify(v)}`,
          );
        failOn = v as Severity | 'none';
        break;
      }
      case '--recipe': {
        const path = value(arg);
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFile(path));
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new UsageError(`--recipe: ${path}: ${(error as Error).message}`);
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new UsageError(`--recipe: ${path} must hold a JSON object`);
        file = parsed as Record<string, unknown>;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (target !== undefined) throw new UsageError(`one target only: got ${target} and ${arg}`);
        target = arg;
    }
  }
  if (help) return { recipe: { target: '', protected: '' }, json, failOn, allowPlainHttp, help };
  const recipe = fromFile(file, env);
  const merged: Recipe = {
    ...recipe,
    ...Object.fromEntries(Object.entries(flags).filter(([k]) => k !== 'fields')),
    fields: { ...recipe.fields, ...flags.fields },
    target: target ?? recipe.target,
    protected: flags.protected ?? recipe.protected,
  };
  if (!merged.target)
    throw new UsageError(
      'give the target URL, e.g. latchkey-audit https://app.example --protected /api/me',
    );
  if (!merged.protected)
    throw new UsageError('--protected is required: a URL that answers 2xx only when signed in');
  return { recipe: merged, json, failOn, allowPlainHttp, ...(caFile ? { caFile } : {}), help };
}

/** A recipe file: the flags' names in camelCase (`jsonBody`, `clockHook`, `idleTimeout: "30m"`). */
function fromFile(file: Record<string, unknown>, env: Record<string, string | undefined>): Recipe {
  const str = (key: string): string | undefined => {
    const v = file[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new UsageError(`--recipe: ${key} must be a string`);
    return v;
  };
  const fields: Record<string, string> = {};
  const rawFields = file.fields ?? {};
  if (typeof rawFields !== 'object' || rawFields === null || Array.isArray(rawFields))
    throw new UsageError('--recipe: fields must be an object of strings');
  for (const [k, v] of Object.entries(rawFields)) {
    if (typeof v !== 'string') throw new UsageError(`--recipe: fields.${k} must be a string`);
    fields[k] = fieldValue(`--recipe: fields.${k}`, v, env);
  }
  const recipe: Recipe = { target: str('target') ?? '', protected: str('protected') ?? '', fields };
  const login = str('login');
  if (login) recipe.login = login;
  const logout = str('logout');
  if (logout) recipe.logout = logout;
  const origin = str('origin');
  if (origin) recipe.origin = origin;
  const hook = str('clockHook');
  if (hook) recipe.clockHook = hook;
  if (file.jsonBody === true) recipe.body = 'json';
  if (file.wait === true) recipe.wait = true;
  if (typeof file.samples === 'number') recipe.samples = file.samples;
  const idle = str('idleTimeout');
  if (idle) recipe.idleTimeoutMs = parseDuration('--recipe: idleTimeout', idle);
  const absolute = str('absoluteTimeout');
  if (absolute) recipe.absoluteTimeoutMs = parseDuration('--recipe: absoluteTimeout', absolute);
  return recipe;
}
