/** What the demo's routes share: reading a form or JSON body, the signed-in guard, answers. */

import { answerMode, expiryResponse, safeReturnTo, type Session } from '@latchkey/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { DemoEnv } from '../sessions.js';
import { USERS, type DemoUser } from '../users.js';

/** A form (urlencoded or multipart) or JSON body as string fields; `null` when it cannot be read. */
export async function readFields(c: Context): Promise<Record<string, string> | null> {
  const type = c.req.header('content-type') ?? '';
  try {
    if (/^application\/(?:[\w.+-]+\+)?json/i.test(type)) {
      const body: unknown = await c.req.json();
      if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(body))
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
          out[k] = String(v);
      return out;
    }
    if (/^(?:application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
      const form = await c.req.parseBody();
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(form)) if (typeof v === 'string') out[k] = v;
      return out;
    }
    // No body at all is an empty form (a button that posts nothing).
    const text = await c.req.text();
    return text === '' ? {} : null;
  } catch {
    return null;
  }
}

/**
 * Does this request want JSON back (a script), rather than a page? JSON when it
 * asks for it (`Accept`) or sends it, unless it is a navigation or prefers HTML;
 * a bare request (no `Accept`, a form body) gets the page answer.
 */
export function wantsJson(c: Context): boolean {
  if (answerMode(c.req.raw) === 'page') return false;
  return (
    /json/i.test(c.req.header('accept') ?? '') || /json/i.test(c.req.header('content-type') ?? '')
  );
}

export const badRequest = (c: Context, message: string) =>
  c.json({ error: 'bad_request', message }, 400, { 'cache-control': 'no-store' });

/** A same-origin path to go back to, or `fallback`. */
export function backTo(c: Context, value: string | undefined, fallback = '/'): string {
  return safeReturnTo(value, new URL(c.req.url).origin) ?? fallback;
}

/** After a form post: back to the page it came from (`303 See Other`). */
export const seeOther = (c: Context, path: string) =>
  c.body(null, 303, { location: path, 'cache-control': 'no-store' });

export type SignedInEnv = DemoEnv & { Variables: { user: DemoUser; current: Session } };

/**
 * Guard: a signed-in session, loaded (a silent remember-me re-auth included),
 * or the core's answer: 303 to `/login?returnTo=…` for a page, 401 JSON with
 * the reason for a script (`json` forces JSON, for `/api/*`).
 */
export function signedIn(json = false): MiddlewareHandler<SignedInEnv> {
  return async (c, next) => {
    const outcome = await c.var.session.load();
    const mode = { mode: json || wantsJson(c) ? ('json' as const) : ('page' as const) };
    if (!outcome.valid) return expiryResponse(c.req.raw, outcome, mode);
    const user = USERS.find((u) => u.id === outcome.session.userId);
    if (!user) return expiryResponse(c.req.raw, { reason: 'missing' }, mode);
    // Kept with the session (through renewals) until the person signs in with a password again.
    if (outcome.via === 'remember-me') outcome.session.set('viaRememberMe', true);
    c.set('user', user);
    c.set('current', outcome.session);
    await next();
  };
}

/** What the dashboard and `GET /api/me` show of the session: its times, and whether remember-me brought it back. */
export function sessionState(current: Session) {
  return {
    handle: current.handle,
    createdAt: current.createdAt,
    idleExpiresAt: current.idleExpiresAt,
    absoluteExpiresAt: current.absoluteExpiresAt,
    authTime: current.authTime,
    factors: current.factors,
    viaRememberMe: current.get('viaRememberMe') === true,
  };
}
