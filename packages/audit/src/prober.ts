/**
 * The prober: performs the recipe against the target over HTTP, as a browser
 * would, and writes down what it saw (`Observations`). It judges nothing;
 * `checks.ts` does. The order matters: the timeouts move the target's clock, so they run last.
 */

import { browse, CookieJar, readLoginForm } from './browser.js';
import { AuditError, type HttpResponse, type Transport } from './http.js';
import type { FixationProbe, Observations, TimeoutProbe } from './observations.js';
import type { ResolvedRecipe } from './recipe.js';
import { probeAbsolute, probeIdle, type TimeTravel } from './timeout-probe.js';
import type { SetCookie } from './set-cookie.js';

export interface ProbeDeps {
  transport: Transport;
  /** The audit's clock (epoch ms), for cookie expiry when a response has no `Date`. */
  now: () => number;
  /** Real waiting, for `--wait`. */
  sleep: (ms: number) => Promise<void>;
  /** Random bytes, for the planted ID of the fixation probe. */
  random: (bytes: number) => Uint8Array;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** A foreign origin for the CSRF probe: a header value only; nothing is ever sent there. */
export const FOREIGN_ORIGIN = 'https://cross-site.audit.invalid';

const ok = (status: number) => status >= 200 && status < 300;
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * Runs the recipe against the target and returns what it saw. Rejects with `AuditError` when
 * the recipe cannot work (no login, an unprotected URL) or the target misbehaves.
 *
 * @example
 * const observations = await probe(resolveRecipe(recipe), { transport, now: Date.now, sleep, random });
 */
export async function probe(r: ResolvedRecipe, deps: ProbeDeps): Promise<Observations> {
  const { transport: send, now } = deps;
  const log = deps.log ?? (() => {});
  const accept =
    r.body === 'json' ? 'application/json' : 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';
  const baseHeaders = { accept, 'user-agent': 'latchkey-audit/0.1' };
  const responseTime = (res: HttpResponse) => {
    const at = Date.parse(res.headers.date ?? '');
    return Number.isFinite(at) ? at : now();
  };

  const status = async (jar: CookieJar, keep = true) =>
    (
      await browse(send, jar, 'GET', r.protected, now, {
        headers: { ...baseHeaders, 'sec-fetch-site': 'same-origin' },
        follow: false,
        keepCookies: keep,
      })
    ).first.status;

  /** A POST as the app's own page (a form navigation, or a script's fetch for JSON) would send it. */
  const post = (
    jar: CookieJar,
    url: URL,
    body: string,
    origin: string,
    contentType: string,
    fromScript = r.body === 'json',
  ) =>
    browse(send, jar, 'POST', url, now, {
      body,
      headers: {
        ...baseHeaders,
        ...(fromScript ? { accept: 'application/json' } : {}),
        'content-type': contentType,
        origin,
        'sec-fetch-site': origin === r.requestOrigin ? 'same-origin' : 'cross-site',
        'sec-fetch-mode': fromScript ? 'cors' : 'navigate',
      },
    });

  /** Signs in on `jar`: GET the form (reading its hidden fields), POST it. */
  const signIn = async (jar: CookieJar, origin = r.requestOrigin) => {
    const page = await browse(send, jar, 'GET', r.login, now, {
      headers: { ...baseHeaders, 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
    });
    const before = jar.clone();
    let action = r.login;
    let fields = { ...r.fields };
    if (r.body === 'form' && ok(page.last.status)) {
      const form = readLoginForm(page.last.body);
      if (form?.action) {
        const url = new URL(form.action, page.lastUrl);
        if (url.origin !== r.origin)
          throw new AuditError(
            'ERR_AUDIT_OFF_ORIGIN',
            `the login form posts to ${url.origin}, not the target (${r.origin})`,
          );
        action = url;
      }
      fields = { ...form?.fields, ...r.fields };
    }
    const body =
      r.body === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
    const type = r.body === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    const result = await post(jar, action, body, origin, type);
    return { result, before, setCookies: [...page.setCookies, ...result.setCookies] };
  };

  const skipped: Observations['skipped'] = {};

  // 0. The protected URL must refuse a browser without cookies, or nothing below means anything.
  const anonymous = await status(new CookieJar());
  if (ok(anonymous))
    throw new AuditError(
      'ERR_AUDIT_RECIPE',
      `${r.protected.href} answered ${anonymous} without any cookie: --protected must be a URL that needs a session`,
    );

  // 1. Sign in; find the session cookie(s): those set by login that the protected URL needs.
  log(`signing in at ${r.login.href}`);
  const jar = new CookieJar();
  const { result: login, before, setCookies } = await signIn(jar);
  const signedIn = await status(jar.clone(), false);
  if (!ok(signedIn))
    throw new AuditError(
      'ERR_AUDIT_RECIPE',
      `after signing in (POST ${login.first.status}), ${r.protected.href} answered ${signedIn}: check the fields, the login URL and --protected`,
    );
  // Cookies set on the way (the form page's included: a pre-login session cookie counts) and still held.
  const fromLogin = latestByName(setCookies).filter((c) => jar.get(c.name) === c.value);
  if (fromLogin.length === 0)
    throw new AuditError(
      'ERR_AUDIT_RECIPE',
      'signing in set no cookie: the audit checks cookie sessions only',
    );
  const needed: SetCookie[] = [];
  for (const c of fromLogin) if (!ok(await status(jar.without(c.name), false))) needed.push(c);
  const sessionCookies = needed.length > 0 ? needed : fromLogin;
  const names = sessionCookies.map((c) => c.name);
  log(`session cookie: ${names.join(', ')}`);

  const fixation: FixationProbe[] = [];
  for (const name of names) {
    const pre = before.get(name);
    if (pre !== undefined)
      fixation.push({ vector: 'issued-before-login', kept: jar.get(name) === pre });
  }

  // 2. Session IDs over repeated logins.
  const idSamples: Record<string, string[]> = Object.fromEntries(
    names.map((n) => [n, [jar.get(n)!]]),
  );
  log(`collecting ${r.samples} session IDs`);
  for (let i = 1; i < r.samples; i++) {
    const fresh = new CookieJar();
    await signIn(fresh);
    for (const n of names) {
      const value = fresh.get(n);
      if (value === undefined)
        throw new AuditError(
          'ERR_AUDIT_RECIPE',
          `login ${i + 1} of ${r.samples} set no ${n} cookie`,
        );
      idSamples[n]!.push(value);
    }
  }

  // 3. Fixation: an ID the app never issued, and a signed-in ID presented to a second login.
  {
    const planted = new CookieJar();
    const chosen = base64url(deps.random(32));
    for (const n of names) planted.set(n, chosen);
    await signIn(planted);
    const adopted = names.some((n) => planted.get(n) === chosen);
    fixation.push({
      vector: 'chosen-by-attacker',
      kept: adopted && ok(await status(planted.clone(), false)),
    });

    const again = new CookieJar();
    await signIn(again);
    const first = names.map((n) => again.get(n));
    await signIn(again);
    fixation.push({
      vector: 're-authentication',
      kept: names.every((n, i) => again.get(n) === first[i]),
    });
  }

  // 4. Logout: its answer, then the pre-logout cookies replayed.
  let logout: Observations['logout'];
  let csrf: Observations['csrf'];
  if (r.logout) {
    const session = new CookieJar();
    await signIn(session);
    const replay = session.clone();
    const out = await post(
      session,
      r.logout,
      '',
      r.requestOrigin,
      'application/x-www-form-urlencoded',
    );
    logout = {
      status: out.first.status,
      cacheControl: out.first.headers['cache-control'] ?? null,
      replayStatus: await status(replay, false),
    };
    // 5. CSRF: the same logout from a foreign Origin; did the session survive?
    const victim = new CookieJar();
    await signIn(victim);
    const forged = await post(
      victim.clone(),
      r.logout,
      '',
      FOREIGN_ORIGIN,
      'application/x-www-form-urlencoded',
    );
    csrf = {
      via: 'logout',
      status: forged.first.status,
      tookEffect: !ok(await status(victim, false)),
    };
  } else {
    skipped['logout-server-side'] = 'no --logout URL given';
    skipped['logout-no-store'] = 'no --logout URL given';
    // 5. CSRF without a logout URL: a login from a foreign Origin (login CSRF).
    const victim = new CookieJar();
    const { result } = await signIn(victim, FOREIGN_ORIGIN);
    const created =
      names.some((n) => victim.get(n) !== undefined) && ok(await status(victim, false));
    csrf = { via: 'login', status: result.first.status, tookEffect: created };
  }

  // 6. Timeouts, last: they move the target's clock (or wait for real).
  const advance = async (ms: number) => {
    if (r.clockHook) {
      const res = await post(
        new CookieJar(),
        r.clockHook,
        JSON.stringify({ advanceMs: Math.round(ms) }),
        r.requestOrigin,
        'application/json',
        true,
      );
      if (!ok(res.first.status))
        throw new AuditError(
          'ERR_AUDIT_RECIPE',
          `the clock hook ${r.clockHook.href} answered ${res.first.status}`,
        );
    } else await deps.sleep(ms);
  };
  const time: TimeTravel = {
    method: r.clockHook ? 'clock-hook' : 'wait',
    advance,
    signIn: (jar) => signIn(jar),
    status: (jar) => status(jar),
  };
  const canMoveTime = r.clockHook !== undefined || r.wait;
  let idleTimeout: TimeoutProbe | undefined;
  let absoluteTimeout: TimeoutProbe | undefined;
  if (r.idleTimeoutMs !== undefined && canMoveTime) {
    log('probing the idle timeout');
    idleTimeout = await probeIdle(r.idleTimeoutMs, time);
  } else
    skipped['idle-timeout'] =
      r.idleTimeoutMs === undefined
        ? 'no claimed idle timeout given (--idle-timeout)'
        : 'give --clock-hook or --wait to test the idle timeout';
  if (r.absoluteTimeoutMs !== undefined && canMoveTime) {
    log('probing the absolute timeout');
    absoluteTimeout = await probeAbsolute(r.absoluteTimeoutMs, r.idleTimeoutMs, time);
  } else
    skipped['absolute-timeout'] =
      r.absoluteTimeoutMs === undefined
        ? 'no claimed absolute timeout given (--absolute-timeout)'
        : 'give --clock-hook or --wait to test the absolute timeout';

  return {
    target: r.origin,
    plainHttp: r.protected.protocol === 'http:',
    sessionCookies,
    loginAt: responseTime(login.first),
    idSamples,
    fixation,
    ...(logout ? { logout } : {}),
    csrf,
    ...(idleTimeout ? { idleTimeout } : {}),
    ...(absoluteTimeout ? { absoluteTimeout } : {}),
    skipped,
  };
}

/** The last `Set-Cookie` per name (a response may clear a cookie, then set it). */
function latestByName(cookies: readonly SetCookie[]): SetCookie[] {
  const byName = new Map<string, SetCookie>();
  for (const c of cookies) if (c.value !== '') byName.set(c.name, c);
  return [...byName.values()];
}
