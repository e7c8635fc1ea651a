/**
 * The JSON session instructions (DBSC "JSON Session Instruction Format") the registration and
 * refresh endpoints answer with, and the bound cookie's trio: its name and attributes come from
 * the same resolved cookie that writes the real `Set-Cookie`, so the two cannot disagree.
 */
import type { ResolvedCookie } from '../cookie/session-cookie.js';

/** One rule of the session's scope (DBSC "JSON Session Scope Rule Format"). */
export interface ScopeRule {
  type: 'include' | 'exclude';
  /** Host or `*.`-pattern; default `*`. */
  domain?: string;
  /** Path prefix; default `/`. */
  path?: string;
}

/** The session instructions, as sent. */
export interface SessionInstructions {
  session_identifier: string;
  refresh_url?: string;
  continue?: boolean;
  scope?: { origin?: string; include_site: boolean; scope_specification?: ScopeRule[] };
  credentials?: Array<{ type: 'cookie'; name: string; attributes: string }>;
}

/**
 * The attributes of a cookie as DBSC's `credentials[].attributes` string: what the serializer
 * writes after `name=value`, without the lifetime (DBSC ignores Max-Age and Expires there).
 *
 * @example
 * credentialAttributes(boundCookie); // 'Path=/; Secure; HttpOnly; SameSite=Lax'
 */
export function credentialAttributes(cookie: ResolvedCookie): string {
  const line = cookie.serialize('x');
  return line.slice(line.indexOf(';') + 1).trim();
}

/**
 * Instructions for a live bound session.
 *
 * @example
 * sessionInstructions({ sid: 'S1', refreshUrl: '/dbsc/refresh', origin: 'https://app.example', includeSite: false, rules: [], cookie: boundCookie });
 */
export function sessionInstructions(i: {
  sid: string;
  refreshUrl: string;
  origin: string;
  includeSite: boolean;
  rules: readonly ScopeRule[];
  cookie: ResolvedCookie;
}): SessionInstructions {
  return {
    session_identifier: i.sid,
    refresh_url: i.refreshUrl,
    scope: { origin: i.origin, include_site: i.includeSite, scope_specification: [...i.rules] },
    credentials: [
      { type: 'cookie', name: i.cookie.name, attributes: credentialAttributes(i.cookie) },
    ],
  };
}

/**
 * Instructions that end the browser's session (`continue: false`): after logout, revocation,
 * expiry or theft detection. Chromium logs an error when `session_identifier` is absent, so it is sent.
 *
 * @example
 * endInstructions('S1'); // { session_identifier: 'S1', continue: false }
 */
export function endInstructions(sid: string): SessionInstructions {
  return { session_identifier: sid, continue: false };
}
