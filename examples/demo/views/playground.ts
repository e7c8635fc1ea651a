/** The playground panel: switch the preset, fast-forward the clock, watch the event log. */

import type { PresetName } from '@latchkey/core';
import { EXPLAIN } from './explain.js';
import { html, type Html } from './html.js';

const STEPS = [
  ['+1 min', 60_000],
  ['+15 min', 15 * 60_000],
  ['+1 h', 60 * 60_000],
  ['+1 day', 24 * 60 * 60_000],
] as const;

export interface PlaygroundView {
  presets: readonly PresetName[];
  active: PresetName;
  /** The demo clock's time and how far it runs ahead of the real time. */
  now: number;
  offset: number;
  storeLabel: string;
  /** The page to come back to after a form post (no script). */
  here: string;
}

export function playground(view: PlaygroundView): Html {
  const hours = Math.floor(view.offset / 3_600_000);
  const minutes = Math.floor((view.offset % 3_600_000) / 60_000);
  return html`<aside class="playground" id="playground" data-now="${view.now}">
    <h2>Playground</h2>
    <section>
      <h3>Policy for new logins</h3>
      <form method="post" action="/api/policy" class="presets" data-enhance="policy">
        <input type="hidden" name="returnTo" value="${view.here}" />
        ${view.presets.map(
          (p) =>
            html`<button
              type="submit"
              name="preset"
              value="${p}"
              id="preset-${p}"
              ${p === view.active ? html`aria-pressed="true"` : html`aria-pressed="false"`}
            >
              ${p}
            </button>`,
        )}
      </form>
      <p class="hint">
        A session keeps the preset it was created with; a switch applies to the next login.
      </p>
    </section>
    <section>
      <h3>Clock</h3>
      <p>
        Demo time:
        <strong id="demo-now" data-at="${view.now}">${new Date(view.now).toISOString()}</strong
        ><br />
        <span class="hint" id="demo-offset"
          >${view.offset === 0 ? 'in step with the real time' : `${hours} h ${minutes} min ahead of the real time`}</span
        >
      </p>
      <form method="post" action="/__demo/clock" class="clock" data-enhance="clock">
        <input type="hidden" name="returnTo" value="${view.here}" />
        ${STEPS.map(([label, ms]) => html`<button type="submit" name="advanceMs" value="${ms}" data-advance="${ms}">${label}</button>`)}
      </form>
      <p class="hint">${EXPLAIN.idleVsAbsolute}</p>
    </section>
    <section>
      <h3>Event log</h3>
      <p class="monitor" id="monitor-counters"></p>
      <ol class="events" id="events" aria-live="polite"></ol>
      <p class="hint">
        The session monitor's view, newest first: what the engines emitted (public handles only,
        never a session ID), anomalies in red, counts over the last 5 minutes. The same counters are
        at <a href="/metrics">/metrics</a> (OpenMetrics).
      </p>
    </section>
    <p class="store">Store: <span id="store">${view.storeLabel}</span></p>
  </aside>`;
}
