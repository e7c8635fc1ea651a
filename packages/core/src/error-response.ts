/**
 * Building an error answer once for every guard: the typed JSON body for a
 * script, a short text for a page, never cached, and `Vary` naming the
 * request headers that chose between them.
 */

import type { SessionErrorBody } from './error-body.js';
import { answerMode, NEGOTIATION_VARY, type AnswerMode } from './negotiation.js';

/** What {@link errorResponse} needs besides the body. */
export interface ErrorResponseInit {
  status: number;
  /** What a page navigation reads instead of the JSON body. */
  text: string;
  /** Extra headers (`Retry-After`, `WWW-Authenticate`, ...). */
  headers?: Record<string, string>;
  /** Force JSON or text; default: {@link answerMode} of the request. */
  mode?: AnswerMode;
}

/**
 * A typed error answer: JSON `body` for scripts, `text` for page navigations.
 *
 * @example
 * errorResponse(request, { error: 'session_conflict' }, { status: 409, text: 'Please try again.' })
 */
export function errorResponse(
  request: Request,
  body: SessionErrorBody,
  init: ErrorResponseInit,
): Response {
  const headers = new Headers(init.headers);
  headers.set('cache-control', 'no-store');
  if (init.mode === undefined) headers.append('vary', NEGOTIATION_VARY);
  const json = answerMode(request, init.mode) === 'json';
  headers.set('content-type', json ? 'application/json' : 'text/plain; charset=utf-8');
  return new Response(json ? JSON.stringify(body) : init.text, { status: init.status, headers });
}
