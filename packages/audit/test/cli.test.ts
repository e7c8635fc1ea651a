import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditError,
  parseArgs,
  runCli,
  type AuditReport,
  type CheckResult,
  type Recipe,
} from '@latchkey/audit';
import { startExpressSessionApp } from './fixtures/express-session-app.js';

const result = (id: string, status: CheckResult['status'], severity: CheckResult['severity']) =>
  ({
    id,
    status,
    severity,
    asvs: 'V0',
    message: `${id} ${status}`,
    fix: `fix ${id}`,
  }) as CheckResult;

/** Runs the CLI with a stand-in audit that returns `report` (or throws) and records the recipe. */
async function run(
  argv: string[],
  report: AuditReport | Error = {
    target: 'https://app.example',
    sessionCookies: ['sid'],
    plainHttp: false,
    checks: [],
  },
  env: Record<string, string> = {},
) {
  let out = '';
  let err = '';
  let recipe: Recipe | undefined;
  const code = await runCli(argv, {
    env,
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    readFile: (path) => {
      if (path === 'recipe.json')
        return JSON.stringify({
          target: 'https://app.example',
          protected: '/me',
          fields: { user: 'alice', password: 'env:PW' },
          idleTimeout: '15m',
          jsonBody: true,
        });
      throw new Error(`ENOENT: ${path}`);
    },
    audit: async (r) => {
      recipe = r;
      if (report instanceof Error) throw report;
      return report;
    },
  });
  return { code, out, err, recipe };
}

const base = ['https://app.example', '--protected', '/me'];

describe('the CLI parser', () => {
  it('builds the recipe from the flags, reading env: fields from the environment', () => {
    const { recipe } = parseArgs(
      [
        ...base,
        '--login',
        '/signin',
        '--json-body',
        '--field',
        'user=alice',
        '--field',
        'password=env:AUDIT_PASSWORD',
        '--logout',
        '/logout',
        '--origin',
        'https://app.example',
        '--samples',
        '5',
        '--idle-timeout',
        '30m',
        '--absolute-timeout',
        '1d',
        '--clock-hook',
        '/__clock',
      ],
      { AUDIT_PASSWORD: 'from the environment' },
    );
    expect(recipe).toEqual({
      target: 'https://app.example',
      protected: '/me',
      login: '/signin',
      body: 'json',
      fields: { user: 'alice', password: 'from the environment' },
      logout: '/logout',
      origin: 'https://app.example',
      samples: 5,
      idleTimeoutMs: 1_800_000,
      absoluteTimeoutMs: 86_400_000,
      clockHook: '/__clock',
    });
  });

  it('reads a recipe file with the same keys; flags win', async () => {
    const { code, recipe } = await run(
      ['--recipe', 'recipe.json', '--idle-timeout', '5m'],
      undefined,
      { PW: 'pw' },
    );
    expect(code).toBe(0);
    expect(recipe).toMatchObject({
      target: 'https://app.example',
      protected: '/me',
      body: 'json',
      fields: { user: 'alice', password: 'pw' },
      idleTimeoutMs: 300_000,
    });
  });

  it.each([
    [[], /give the target URL/],
    [['https://app.example'], /--protected is required/],
    [[...base, '--fail-on', 'severe'], /--fail-on: one of low, medium, high, critical, none/],
    [[...base, '--field', 'nonsense'], /--field: expected name=value/],
    [[...base, '--field', 'password=env:NOT_SET'], /the environment variable NOT_SET is not set/],
    [[...base, '--samples', 'many'], /--samples: a whole number/],
    [[...base, '--idle-timeout', '30'], /--idle-timeout: a duration such as 90s/],
    [[...base, '--login'], /--login needs a value/],
    [[...base, '--frobnicate'], /unknown option --frobnicate/],
    [[...base, 'https://other.example'], /one target only/],
    [['--recipe', 'missing.json'], /--recipe: missing.json: ENOENT/],
  ])('misuse %j: a clear message, the usage, exit 2, and no audit', async (argv, message) => {
    const { code, err, recipe } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/usage: latchkey-audit <url>/);
    expect(recipe).toBeUndefined();
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/--fail-on <severity>/);
  });
});

describe('the CLI output and exit status', () => {
  const report: AuditReport = {
    target: 'http://localhost:3000',
    sessionCookies: ['sid'],
    plainHttp: true,
    checks: [
      result('cookie-httponly', 'pass', 'high'),
      { ...result('cookie-secure', 'fail', 'high'), note: 'the target is plain HTTP' },
      result('cookie-samesite', 'fail', 'medium'),
      result('idle-timeout', 'n/a', 'medium'),
    ],
  };

  it('--json prints { target, sessionCookies, checks: [{ id, status, severity, asvs, message, fix }], summary }', async () => {
    const { out, code } = await run([...base, '--json'], report);
    const json = JSON.parse(out);
    expect(code).toBe(1);
    expect(Object.keys(json)).toEqual([
      'target',
      'sessionCookies',
      'plainHttp',
      'checks',
      'summary',
    ]);
    expect(json.checks[1]).toEqual({
      id: 'cookie-secure',
      status: 'fail',
      severity: 'high',
      asvs: 'V0',
      message: 'cookie-secure fail',
      fix: 'fix cookie-secure',
      note: 'the target is plain HTTP',
    });
    expect(json.summary).toEqual({
      passed: 1,
      failed: 2,
      notApplicable: 1,
      blocking: 1,
      failOn: 'high',
    });
  });

  it('the text report shows each check with its status, ASVS number and the fix under a failure', async () => {
    const { out } = await run(base, report);
    expect(out).toMatch(/^PASS {2}cookie-httponly/m);
    expect(out).toMatch(/^FAIL {2}cookie-samesite +V0 +medium +cookie-samesite fail$/m);
    expect(out).toMatch(/^ +fix: fix cookie-samesite$/m);
    expect(out).toMatch(/^N\/A {3}idle-timeout/m);
  });

  it('--fail-on sets which failures fail the run (default high)', async () => {
    expect((await run(base, report)).code).toBe(1);
    expect((await run([...base, '--fail-on', 'critical'], report)).code).toBe(0);
    expect((await run([...base, '--fail-on', 'medium'], report)).code).toBe(1);
    expect((await run([...base, '--fail-on', 'none'], report)).code).toBe(0);
    const mediumOnly = { ...report, checks: report.checks.filter((c) => c.id !== 'cookie-secure') };
    expect((await run(base, mediumOnly)).code).toBe(0);
    expect((await run([...base, '--fail-on', 'low'], mediumOnly)).code).toBe(1);
  });

  it('--allow-plain-http keeps cookie-secure in the report but out of the exit status', async () => {
    const { code, out } = await run([...base, '--allow-plain-http'], report);
    expect(code).toBe(0);
    expect(out).toMatch(/^FAIL {2}cookie-secure/m);
  });

  it('an audit that cannot finish prints one error line and exits 3', async () => {
    const { code, err, out } = await run(
      base,
      new AuditError(
        'ERR_AUDIT_HOSTILE_RESPONSE',
        'GET https://app.example/login: the response headers exceed 32768 bytes',
      ),
    );
    expect(code).toBe(3);
    expect(err).toBe(
      'latchkey-audit: error: GET https://app.example/login: the response headers exceed 32768 bytes\n',
    );
    expect(out).toBe('');
  });
});

describe('the latchkey-audit binary', () => {
  let app: Awaited<ReturnType<typeof startExpressSessionApp>>;
  beforeAll(async () => {
    app = await startExpressSessionApp();
  });
  afterAll(() => app?.close());

  it('audits a running app from the command line: --json on stdout, exit 1 for the high failures', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const run = promisify(execFile);
    const failure = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        app.origin,
        '--field',
        'username=alice',
        '--field',
        'password=env:AUDIT_PASSWORD',
        '--protected',
        '/me',
        '--logout',
        '/logout',
        '--samples',
        '4',
        '--json',
      ],
      { env: { ...process.env, AUDIT_PASSWORD: 's3cret' } },
    ).catch((error: { code: number; stdout: string }) => error);
    expect('code' in failure && failure.code).toBe(1);
    const json = JSON.parse(failure.stdout);
    expect(json.target).toBe(app.origin);
    expect(json.checks.map((c: CheckResult) => c.id)).toHaveLength(15);
    expect(json.checks.find((c: CheckResult) => c.id === 'fixation').status).toBe('fail');
  });
});
