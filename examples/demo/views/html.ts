/** HTML escaping and the page frame every demo page shares. */

/** Escape text for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

/** A trusted HTML fragment (already escaped). */
export interface Html {
  readonly html: string;
}

/** Tagged template: interpolations are escaped unless they are `Html` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return { html: out };
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (value && typeof value === 'object' && 'html' in value) return (value as Html).html;
  if (value === false || value === null || value === undefined) return '';
  return esc(value);
}

export interface FrameOptions {
  title: string;
  /** The signed-in user's name, for the header; absent on the login page. */
  user?: string;
  /** Which nav entry is current. */
  nav?: 'dashboard' | 'devices' | 'transfer' | 'spa';
  /** The playground panel (preset, clock, event log); absent on the SPA page. */
  playground?: Html;
  /** Scripts to load, all from this app. */
  scripts?: readonly string[];
}

const NAV = [
  ['dashboard', '/', 'Dashboard'],
  ['devices', '/devices', 'Devices'],
  ['transfer', '/transfer', 'Transfer'],
  ['spa', '/spa', 'Single-page app'],
] as const;

/** The whole page: nothing in it comes from another origin. */
export function frame(options: FrameOptions, body: Html): string {
  const nav = NAV.map(
    ([id, href, label]) =>
      html`<a href="${href}" ${options.nav === id ? html`aria-current="page"` : ''}>${label}</a>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Latchkey playground</title>
        <link rel="icon" href="/public/icon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/public/demo.css" />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">Latchkey <span>playground</span></a>
          <nav>${nav}</nav>
          ${
            options.user
              ? html`<form method="post" action="/logout" class="who">
                  <span id="who">${options.user}</span>
                  <button type="submit" id="logout">Log out</button>
                </form>`
              : ''
          }
        </header>
        <div class="layout${options.playground ? '' : ' single'}">
          <main>${body}</main>
          ${options.playground ?? ''}
        </div>
        ${(options.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
      </body>
    </html>`.html;
}

/** A time as the page shows it before its script takes over (`data-at` carries the ms). */
export function at(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined) return html`<span>never</span>`;
  return html`<time data-at="${ms}" datetime="${new Date(ms).toISOString()}"
    >${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC</time
  >`;
}

/** A live countdown to `ms` on the demo clock. */
export function countdown(ms: number, id: string): Html {
  return html`<span class="countdown" id="${id}" data-deadline="${ms}"
    >${new Date(ms).toISOString()}</span
  >`;
}
