/**
 * What the two DBSC endpoints share: one attached binding's parts, how they answer (never
 * cached, never framed, a store failure or lost race as 503 so the browser backs off rather
 * than ending its session), the bound cookie they mint and the instructions they send.
 */
import type { BindingContext } from '../binding.js';
import type { ResolvedCookie } from '../cookie/session-cookie.js';
import { sessionFailureResponse } from '../expiry-response.js';
import type { SessionRecord } from '../record.js';
import type { BoundTokens } from './bound-cookie.js';
import type { Challenges } from './challenges.js';
import type { DbscAlgorithm } from './headers.js';
import type { DeviceBindingOptions } from './options.js';
import { sessionInstructions, type SessionInstructions } from './instructions.js';

/** @internal One attached binding's parts. */
export interface BindingState {
  readonly context: BindingContext;
  readonly registrationPath: string;
  readonly refreshPath: string;
  readonly boundLifetime: number;
  readonly algorithms: readonly DbscAlgorithm[];
  readonly allowNone: boolean;
  readonly options: DeviceBindingOptions;
  /** The short-lived cookie protected routes accept. */
  readonly bound: ResolvedCookie;
  /** A bound session's long-lived cookie, scoped to the refresh path. */
  readonly longLived: ResolvedCookie;
  readonly tokens: BoundTokens;
  readonly challenges: Challenges;
}

export type Out = { setCookie: string[]; headers: Array<[string, string]> };

export function answer(
  status: number,
  body: SessionInstructions | null,
  out: Out = { setCookie: [], headers: [] },
): Response {
  // Server considerations: the refresh endpoint leaks login state if embedded or read cross-site.
  const headers = new Headers({
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'cross-origin-resource-policy': 'same-site',
  });
  if (body) headers.set('content-type', 'application/json');
  for (const line of out.setCookie) headers.append('set-cookie', line);
  for (const [name, value] of out.headers) headers.set(name, value);
  return new Response(body ? JSON.stringify(body) : null, { status, headers });
}

/** A store outage is a 503 (the browser backs off); a lost race too, never a 4xx, which would end the browser's session. */
export function failure(request: Request, error: unknown): Response {
  const response = sessionFailureResponse(request, error);
  if (!response) throw error;
  if (response.status < 500)
    return new Response(null, {
      status: 503,
      headers: { 'retry-after': '1', 'cache-control': 'no-store' },
    });
  return response;
}

/** A fresh bound cookie for the session under `handle`: a new token, never past the session's absolute deadline. */
export async function mintBoundCookie(
  s: BindingState,
  handle: string,
  record: SessionRecord<unknown>,
  now: number,
): Promise<string> {
  const ms = Math.max(1000, Math.min(s.boundLifetime, record.absoluteDeadline - now));
  const token = await s.tokens.issue(handle, ms);
  return s.bound.serialize(token, Math.floor(ms / 1000), now);
}

export function instructions(s: BindingState, request: Request, sid: string): SessionInstructions {
  return sessionInstructions({
    sid,
    refreshUrl: s.refreshPath,
    origin: s.options.origin ?? new URL(request.url).origin,
    includeSite: s.options.includeSite === true,
    rules: s.options.scopeRules ?? [],
    cookie: s.bound,
  });
}
