/**
 * The DBSC header fields (W3C DBSC editor's draft, "DBSC Formats"): what the server writes
 * (`Secure-Session-Registration`, `Secure-Session-Challenge`) and reads (`Secure-Session-Response`,
 * `Sec-Secure-Session-Id`, `Secure-Session-Skipped`). Readers never throw on hostile input.
 */
import { parseItem, parseList, sfString, sfToken, stringParam } from './structured-fields.js';

/** The signing algorithms a DBSC registration may offer. */
export type DbscAlgorithm = 'ES256' | 'RS256';

/** Why a browser skipped a refresh (`Secure-Session-Skipped`); other tokens are kept as sent. */
export type SkipReason = 'unreachable' | 'server_error' | 'quota_exceeded';

/**
 * `Secure-Session-Registration: (ES256 RS256);path="…";challenge="…"`.
 *
 * @example
 * registrationHeader({ algorithms: ['ES256'], path: '/dbsc/register', challenge: 'c1' });
 * // '(ES256);path="/dbsc/register";challenge="c1"'
 */
export function registrationHeader(offer: {
  algorithms: readonly (DbscAlgorithm | 'none')[];
  path: string;
  challenge: string;
  authorization?: string;
}): string {
  let out = `(${offer.algorithms.map(sfToken).join(' ')});path=${sfString(offer.path)}`;
  out += `;challenge=${sfString(offer.challenge)}`;
  if (offer.authorization !== undefined) out += `;authorization=${sfString(offer.authorization)}`;
  return out;
}

/**
 * `Secure-Session-Challenge: "…";id="…"`.
 *
 * @example
 * challengeHeader('c2', 'S1'); // '"c2";id="S1"'
 */
export function challengeHeader(challenge: string, sessionId: string): string {
  return `${sfString(challenge)};id=${sfString(sessionId)}`;
}

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SESSION_ID = /^[A-Za-z0-9_.~-]{1,128}$/;

/**
 * A string-valued header: an sf-string as the spec says, or the bare value Chromium sends
 * (measured on Chromium 156: `Secure-Session-Response` and `Sec-Secure-Session-Id` arrive unquoted).
 */
function stringField(value: string | null, shape: RegExp): string | null {
  if (value === null) return null;
  const parsed = parseItem(value);
  if (parsed && (parsed.item.kind === 'string' || parsed.item.kind === 'token'))
    return shape.test(parsed.item.value) ? parsed.item.value : null;
  const bare = value.trim();
  return shape.test(bare) ? bare : null;
}

/**
 * The DBSC proof in `Secure-Session-Response`, or `null`.
 *
 * @example
 * readProof(request.headers); // 'eyJhbGciOi…' or null
 */
export function readProof(headers: Headers): string | null {
  return stringField(headers.get('secure-session-response'), JWS);
}

/**
 * The session identifier in `Sec-Secure-Session-Id`, or `null`.
 *
 * @example
 * readSessionId(request.headers); // 'S1' or null
 */
export function readSessionId(headers: Headers): string | null {
  return stringField(headers.get('sec-secure-session-id'), SESSION_ID);
}

/**
 * The sessions a browser says it skipped refreshing (`Secure-Session-Skipped`), at most 8.
 *
 * @example
 * readSkipped(new Headers({ 'secure-session-skipped': 'unreachable;session_identifier="S1"' }));
 * // [{ reason: 'unreachable', sessionIdentifier: 'S1' }]
 */
export function readSkipped(
  headers: Headers,
): Array<{ reason: SkipReason | string; sessionIdentifier?: string }> {
  const list = parseList(headers.get('secure-session-skipped')) ?? [];
  const out: Array<{ reason: string; sessionIdentifier?: string }> = [];
  for (const member of list.slice(0, 8)) {
    if (member.inner || member.item.kind !== 'token') continue;
    const id = stringParam(member.params, 'session_identifier');
    out.push({
      reason: member.item.value.slice(0, 32),
      ...(id !== undefined && { sessionIdentifier: id.slice(0, 128) }),
    });
  }
  return out;
}
