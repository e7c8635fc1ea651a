/**
 * The example's HTML: plain template strings, every value escaped. Nothing
 * here knows about sessions beyond what app.ts hands it.
 */

import type { Session, SessionSummary } from '@latchkey/core';

const esc = (value: unknown): string =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** A whole page around `body`. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(title)} · Latchkey example</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{padding:.2rem .8rem .2rem 0;text-align:left;vertical-align:top}
form{display:inline}code{font-size:.85em}.note{color:#666;font-size:.9em}</style></head>
<body><h1>${esc(title)}</h1>
${body}
<p class="note"><a href="/">Home</a> · <a href="/policy">Session policy</a> · <a href="/api/me">/api/me</a></p>
</body></html>`;
}

const reasons: Record<string, string> = {
  idle: 'Your session ended after 30 minutes without activity.',
  absolute: 'Your session reached its 24-hour limit.',
  revoked: 'Your session was ended from another device.',
};

/** The sign-in form. A demo: any username signs in, there is no password. */
export function loginPage(opts: {
  reason?: string | null;
  error?: string;
  returnTo?: string;
}): string {
  const notice = opts.error ?? (opts.reason ? reasons[opts.reason] : undefined);
  return page(
    'Sign in',
    `${notice ? `<p><strong>${esc(notice)}</strong></p>` : ''}
<p>This is a demo: any username signs in, with no password. A real app verifies a password or passkey before calling <code>login()</code>.</p>
<form method="post" action="/login">
  <input type="hidden" name="returnTo" value="${esc(opts.returnTo ?? '')}">
  <label>Username <input name="username" required maxlength="64" autofocus></label>
  <button>Sign in</button>
</form>
<p class="note">Sign in again from another browser (or a private window) to see a second device appear.</p>`,
  );
}

function when(ms: number, now: number): string {
  const minutes = Math.round(Math.abs(ms - now) / 60_000);
  const span = minutes < 90 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  const rel = minutes === 0 ? 'now' : ms > now ? `in ${span}` : `${span} ago`;
  return `${esc(new Date(ms).toISOString().slice(0, 19).replace('T', ' '))} UTC <span class="note">(${rel})</span>`;
}

/** The signed-in home page: this session, then every device of the user. */
export function sessionPage(opts: {
  session: Session;
  devices: SessionSummary[];
  now: number;
}): string {
  const { session: s, devices, now } = opts;
  const rows = devices
    .map(
      (
        d,
      ) => `<tr><td>${esc(d.device.userAgent ?? 'unknown device')}${d.device.ip ? `<br><span class="note">${esc(d.device.ip)}</span>` : ''}</td>
<td>signed in ${when(d.createdAt, now)}<br>last seen ${when(d.lastSeenAt, now)}</td>
<td>${d.current ? '<strong>this device</strong><br>' : ''}<form method="post" action="/sessions/end">
<input type="hidden" name="handle" value="${esc(d.handle)}"><button>End this session</button></form></td></tr>`,
    )
    .join('\n');
  return page(
    `Signed in as ${s.userId ?? ''}`,
    `<table>
<tr><th>User</th><td>${esc(s.userId)}</td></tr>
<tr><th>Created</th><td>${when(s.createdAt, now)}</td></tr>
<tr><th>Last seen</th><td>${when(s.lastSeenAt, now)}</td></tr>
<tr><th>Idle deadline</th><td>${when(s.idleExpiresAt, now)} <span class="note">moves forward with activity</span></td></tr>
<tr><th>Absolute deadline</th><td>${when(s.absoluteExpiresAt, now)} <span class="note">never moves</span></td></tr>
<tr><th>Handle</th><td><code>${esc(s.handle)}</code> <span class="note">public: not the secret in your cookie</span></td></tr>
</table>
<h2>Your sessions</h2>
<table>${rows}</table>
<p><form method="post" action="/logout"><button>Log out</button></form>
<form method="post" action="/logout-everywhere"><button>Log out everywhere</button></form></p>`,
  );
}

/** The policy as the engine states it (OWASP ASVS V7.1.1, V7.1.2). */
export function policyPage(text: string): string {
  return page('Session policy', `<pre style="white-space:pre-wrap">${esc(text)}</pre>`);
}
