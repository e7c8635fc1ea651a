/**
 * Who is asking: a page navigation (answer with a redirect or a page) or a
 * script (answer with JSON). The browser's Fetch Metadata says so directly;
 * otherwise `Accept` must rank `text/html` above JSON (RFC 9110 §12.5.1).
 */

/** How to answer: `json` for scripts and API clients, `page` for a browser navigation. */
export type AnswerMode = 'json' | 'page';

/** The request headers {@link answerMode} reads, for `Vary`. */
export const NEGOTIATION_VARY = 'Accept, Sec-Fetch-Mode, Sec-Fetch-Dest';

/** One candidate's best match in `Accept`: its q-value, how specific the range was, and where it stood. */
interface Match {
  q: number;
  specificity: number;
  position: number;
}

const NONE: Match = { q: 0, specificity: 0, position: Infinity };

/** How specifically `range` names HTML (3 exact, 2 `text/*`, 1 `*\/*`, 0 not at all). */
function htmlSpecificity(type: string, subtype: string): number {
  if (
    (type === 'text' && subtype === 'html') ||
    (type === 'application' && subtype === 'xhtml+xml')
  )
    return 3;
  if (type === 'text' && subtype === '*') return 2;
  return type === '*' && subtype === '*' ? 1 : 0;
}

/** How specifically `range` names JSON (`application/json` and any `+json` suffix count as exact). */
function jsonSpecificity(type: string, subtype: string): number {
  if (type === 'application' && (subtype === 'json' || subtype.endsWith('+json'))) return 3;
  if (type === 'application' && subtype === '*') return 2;
  return type === '*' && subtype === '*' ? 1 : 0;
}

/** The q-value of a media range's parameters; RFC 9110 §12.4.2: `q=0` to `q=1`, three decimals at most. */
function weight(params: string[]): number {
  for (const param of params) {
    const [name, value] = param.split('=').map((part) => part.trim());
    if (name?.toLowerCase() !== 'q') continue;
    return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value ?? '') ? Number(value) : 0;
  }
  return 1;
}

/**
 * Whether `Accept` ranks HTML above JSON: by q-value, then the more specific range, then the earlier one.
 *
 * @example
 * acceptPrefersHtml('text/html,application/xhtml+xml,*\/*;q=0.8') // true
 * acceptPrefersHtml('*\/*') // false: a tie on the same range is not a preference
 */
export function acceptPrefersHtml(accept: string | null): boolean {
  if (!accept) return false;
  let html = NONE;
  let json = NONE;
  accept.split(',').forEach((element, position) => {
    const [range = '', ...params] = element.split(';');
    const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
    const q = weight(params);
    // RFC 9110 §12.5.1: the most specific range that matches a type decides its q-value.
    const h = htmlSpecificity(type, subtype);
    if (h > html.specificity) html = { q, specificity: h, position };
    const j = jsonSpecificity(type, subtype);
    if (j > json.specificity) json = { q, specificity: j, position };
  });
  if (html.q === 0 || html.q !== json.q) return html.q > json.q;
  if (html.specificity !== json.specificity) return html.specificity > json.specificity;
  return html.position < json.position;
}

/**
 * How to answer `request`: `page` only for a navigation (`Sec-Fetch-Mode: navigate`
 * or `Sec-Fetch-Dest: document`) or an `Accept` that ranks `text/html` above JSON;
 * `json` otherwise, a plain `fetch()` (`Accept: *\/*`) and a request without `Accept` included.
 * `forced` wins when given.
 *
 * @example
 * answerMode(new Request('https://app.example/', { headers: { accept: '*\/*' } })) // 'json'
 * answerMode(new Request('https://app.example/', { headers: { 'sec-fetch-mode': 'navigate' } })) // 'page'
 */
export function answerMode(request: Request, forced?: AnswerMode): AnswerMode {
  if (forced === 'json' || forced === 'page') return forced;
  const headers = request.headers;
  if (headers.get('sec-fetch-mode') === 'navigate' || headers.get('sec-fetch-dest') === 'document')
    return 'page';
  return acceptPrefersHtml(headers.get('accept')) ? 'page' : 'json';
}
