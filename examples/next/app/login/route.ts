/**
 * GET /login: the sign-in form (where the middleware sends anonymous page visitors). POST
 * /login: checks the demo password and signs in with a new session, on the Node runtime next to
 * the store. Scripts get JSON (200 `{ user }`, 401); a browser's form post gets a 303.
 */

import { answerMode, safeReturnTo } from '@latchkey/core';
import { DEMO_PASSWORD, sessionRoute } from '../../lib/latchkey';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * The form, posting back here with the page to return to.
 *
 * @example
 * GET /login?returnTo=%2F  // 200 text/html: the form, returnTo=/
 */
export function GET(request: Request): Response {
  const url = new URL(request.url);
  const back = safeReturnTo(url.searchParams.get('returnTo'), url.origin) ?? '/';
  const failed = url.searchParams.has('error')
    ? '<p role="alert">Wrong user name or password.</p>'
    : '';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><main><h1>Sign in</h1>${failed}
<form method="post" action="/login">
<input type="hidden" name="returnTo" value="${escapeHtml(back)}">
<label>User name <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button>Sign in</button></form></main></body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/**
 * Sign in: a new session for the user name, with the demo password.
 *
 * @example
 * POST /login  username=ada&password=…  // 200 {"user":"ada"} and Set-Cookie: session=…
 */
export const POST = sessionRoute(
  async ({ request, session }) => {
    const page = answerMode(request) === 'page';
    const { username, password, returnTo } = await credentials(request);
    if (!/^[\w.@+-]{1,64}$/.test(username) || password !== DEMO_PASSWORD) {
      if (page) return seeOther('/login?error=invalid');
      return Response.json({ error: 'invalid_credentials' }, { status: 401 });
    }
    await session.login(username); // a new session ID every time: session-fixation defence
    if (page) return seeOther(safeReturnTo(returnTo, new URL(request.url).origin) ?? '/');
    return Response.json({ user: username });
  },
  { csrf: true }, // a POST must come from this origin (Origin / Sec-Fetch-Site), else 403
);

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `username`, `password` and `returnTo` from a JSON or urlencoded body (at most 4 KiB). */
async function credentials(
  request: Request,
): Promise<Record<'username' | 'password' | 'returnTo', string>> {
  const type = request.headers.get('content-type') ?? '';
  const text = await request.text();
  if (text.length > 4096) return { username: '', password: '', returnTo: '' };
  let fields: Record<string, unknown> = {};
  try {
    fields = type.startsWith('application/json')
      ? (JSON.parse(text || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(text));
  } catch {
    // malformed JSON: no credentials
  }
  const field = (name: string) => (typeof fields[name] === 'string' ? fields[name].trim() : '');
  return { username: field('username'), password: field('password'), returnTo: field('returnTo') };
}
