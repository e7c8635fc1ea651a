/**
 * Answers that fit the caller: a page navigation gets the login redirect or a
 * text, everything else (a plain `fetch()` included) the typed JSON body.
 */
import { describe, expect, it } from 'vitest';
import { SessionConflictError, StoreError } from '../src/errors.js';
import {
  expiryResponse,
  sessionFailureResponse,
  storeUnavailableResponse,
} from '../src/expiry-response.js';
import { answerMode } from '../src/negotiation.js';
import { stepUpResponse } from '../src/step-up.js';

const at = (headers: Record<string, string>, method = 'GET') =>
  new Request('https://app.example/inbox', { headers, method });

describe('answerMode: a page only when the browser navigates or Accept ranks HTML above JSON', () => {
  it.each<[string, Record<string, string>, 'json' | 'page']>([
    ['a plain fetch() (Accept */*)', { accept: '*/*' }, 'json'],
    ['no Accept at all', {}, 'json'],
    ['Sec-Fetch-Mode: navigate', { 'sec-fetch-mode': 'navigate', accept: '*/*' }, 'page'],
    ['Sec-Fetch-Dest: document', { 'sec-fetch-dest': 'document' }, 'page'],
    ['fetch() from a page (cors, */*)', { 'sec-fetch-mode': 'cors', accept: '*/*' }, 'json'],
    [
      'a browser navigation Accept',
      { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      'page',
    ],
    ['JSON by q-value', { accept: 'text/html;q=0.5, application/json' }, 'json'],
    ['HTML by q-value though listed last', { accept: 'application/json;q=0.9, text/html' }, 'page'],
    ['a tie broken by order: JSON first', { accept: 'application/json, text/html' }, 'json'],
    ['a tie broken by order: HTML first', { accept: 'text/html, application/json' }, 'page'],
    ['a tie broken by specificity: text/html over */*', { accept: '*/*, text/html' }, 'page'],
    [
      'a tie broken by specificity: json over text/*',
      { accept: 'text/*, application/json' },
      'json',
    ],
    ['a +json type is JSON', { accept: 'application/problem+json, */*;q=0.1' }, 'json'],
    ['HTML refused with q=0', { accept: 'text/html;q=0, */*' }, 'json'],
    [
      'the most specific range decides',
      { accept: 'text/*;q=1, text/html;q=0.1, application/json;q=0.5' },
      'json',
    ],
    ['a malformed q counts as 0', { accept: 'text/html;q=high, application/json;q=0.2' }, 'json'],
  ])('%s → %s', (_name, headers, mode) => {
    expect(answerMode(at(headers))).toBe(mode);
  });

  it('a forced mode wins over the request', () => {
    expect(answerMode(at({ 'sec-fetch-mode': 'navigate' }), 'json')).toBe('json');
    expect(answerMode(at({ accept: '*/*' }), 'page')).toBe('page');
  });
});

describe('every answer follows the same rule', () => {
  it('a plain fetch() gets the JSON 401 with WWW-Authenticate, a navigation the 303', async () => {
    const api = expiryResponse(at({ accept: '*/*' }), { reason: 'expired-idle' });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toMatch(/^Cookie realm="session"/);
    expect(await api.json()).toEqual({ error: 'session_expired', reason: 'idle' });
    const page = expiryResponse(at({ 'sec-fetch-mode': 'navigate' }), { reason: 'expired-idle' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?returnTo=%2Finbox&reason=idle');
  });

  it('Vary names the headers that decided, and a forced answer varies only on the cookie', () => {
    const vary = expiryResponse(at({}), { reason: 'missing' }).headers.get('vary')!;
    expect(vary.split(/,\s*/).sort()).toEqual(
      ['Accept', 'Cookie', 'Sec-Fetch-Dest', 'Sec-Fetch-Mode'].sort(),
    );
    const forced = expiryResponse(at({}), { reason: 'missing' }, { mode: 'page' });
    expect([forced.status, forced.headers.get('vary')]).toEqual([303, 'Cookie']);
    expect(
      expiryResponse(at({ 'sec-fetch-mode': 'navigate' }), { reason: 'missing' }, { mode: 'json' })
        .status,
    ).toBe(401);
  });

  it('the 503, 409 and step-up answers are JSON for scripts and text for pages', async () => {
    const nav = at({ 'sec-fetch-mode': 'navigate' });
    const script = at({ accept: '*/*' });
    expect(await storeUnavailableResponse(script).json()).toEqual({
      error: 'session_store_unavailable',
    });
    const down = storeUnavailableResponse(nav);
    expect(down.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await down.text()).toMatch(/try again/i);
    const conflict = sessionFailureResponse(nav, new SessionConflictError('lost'))!;
    expect([conflict.status, conflict.headers.get('content-type')]).toEqual([
      409,
      'text/plain; charset=utf-8',
    ]);
    expect(await sessionFailureResponse(script, new StoreError('read', 'down'))!.json()).toEqual({
      error: 'session_store_unavailable',
    });
    const stepUp = stepUpResponse(nav);
    expect([stepUp.status, stepUp.headers.get('content-type')]).toEqual([
      403,
      'text/plain; charset=utf-8',
    ]);
    expect(await stepUpResponse(script).json()).toEqual({ error: 'step_up_required' });
    // Without a request (the engine's requireFreshAuth) it stays JSON.
    expect(await stepUpResponse().json()).toEqual({ error: 'step_up_required' });
  });
});
