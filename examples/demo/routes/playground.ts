/**
 * The playground's routes: the preset for new logins (`/api/policy`), the
 * event log (`/api/events`) and the demo clock (`/__demo/clock`, which exists
 * in this demo only: the library has no such route).
 */

import { presets, type PresetName } from '@latchkey/core';
import type { Context, Hono } from 'hono';
import type { DemoClock } from '../clock.js';
import type { EventLog } from '../event-log.js';
import { PRESETS, type DemoEnv, type DemoSessions } from '../sessions.js';
import type { Html } from '../views/html.js';
import { playground } from '../views/playground.js';
import { backTo, badRequest, readFields, seeOther, wantsJson } from './common.js';

/** Renders the panel for the page `c` is answering. */
export type PlaygroundPanel = (c: Context) => Html;

export function playgroundPanel(
  sessions: DemoSessions,
  clock: DemoClock,
  storeLabel: string,
): PlaygroundPanel {
  return (c) => {
    const url = new URL(c.req.url);
    return playground({
      presets: PRESETS,
      active: sessions.active,
      now: clock.now(),
      offset: clock.offset,
      storeLabel,
      here: url.pathname + url.search,
    });
  };
}

const isPreset = (value: unknown): value is PresetName =>
  typeof value === 'string' && Object.hasOwn(presets, value);

export function playgroundRoutes(
  app: Hono<DemoEnv>,
  deps: { sessions: DemoSessions; clock: DemoClock; events: EventLog; storeLabel: string },
) {
  const { sessions, clock, events } = deps;
  const policyBody = () => ({
    preset: sessions.active,
    presets: PRESETS,
    description: sessions.engines[sessions.active].describePolicy(),
    rememberMe: presets[sessions.active].rememberMe !== false,
    store: deps.storeLabel,
  });

  app.get('/api/policy', (c) => c.json(policyBody(), 200, { 'cache-control': 'no-store' }));
  app.post('/api/policy', async (c) => {
    const fields = await readFields(c);
    if (!fields || !isPreset(fields.preset))
      return badRequest(c, `preset must be one of ${PRESETS.join(', ')}`);
    sessions.active = fields.preset;
    return wantsJson(c) ? c.json(policyBody()) : seeOther(c, backTo(c, fields.returnTo));
  });

  app.get('/api/events', (c) => {
    const after = Number(c.req.query('after') ?? 0);
    const view = events.monitor.view();
    return c.json(
      {
        events: events.since(Number.isFinite(after) ? after : 0),
        anomalies: view.anomalies,
        counters: {
          windowMs: view.window.ms,
          window: view.window.counts,
          totals: view.totals,
          activeSessions: view.activeSessions,
          users: view.users,
        },
      },
      200,
      { 'cache-control': 'no-store' },
    );
  });

  const clockBody = () => ({ now: clock.now(), offsetMs: clock.offset });
  app.get('/__demo/clock', (c) => c.json(clockBody(), 200, { 'cache-control': 'no-store' }));
  app.post('/__demo/clock', async (c) => {
    const fields = await readFields(c);
    const ms = Number(fields?.advanceMs);
    try {
      clock.advance(ms);
    } catch (error) {
      return badRequest(c, (error as Error).message);
    }
    return wantsJson(c) ? c.json(clockBody()) : seeOther(c, backTo(c, fields?.returnTo));
  });
}
