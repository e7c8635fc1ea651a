/** The pages: dashboard, devices, transfer and the single-page app. Each protected page sends a visitor without a session to `/login?returnTo=<the page>`. */

import type { Hono } from 'hono';
import type { DemoCredentials } from '../passkeys.js';
import type { DemoEnv, DemoSessions } from '../sessions.js';
import { frame } from '../views/html.js';
import { dashboardPage, deviceRows, devicesPage, transferPage } from '../views/pages.js';
import { spaPage } from '../views/spa.js';
import { sessionState, signedIn, type SignedInEnv } from './common.js';
import type { PlaygroundPanel } from './playground.js';

const NO_STORE = { 'cache-control': 'no-store' };

/** The devices list of `GET /api/sessions` and the devices page. */
export async function devicesOf(sessions: DemoSessions, c: { var: SignedInEnv['Variables'] }) {
  const { user, current } = c.var;
  const [list, remembered] = await Promise.all([
    sessions.devices.listSessions(user.id, current.handle),
    sessions.devices.listRememberedLogins(user.id, current.handle),
  ]);
  return deviceRows(list, remembered, undefined);
}

export function pageRoutes(
  app: Hono<DemoEnv>,
  sessions: DemoSessions,
  panel: PlaygroundPanel,
  credentials: Pick<DemoCredentials, 'count'>,
) {
  app.get('/', signedIn(), async (c) => {
    const { user, current, preset } = c.var;
    const engine = sessions.engines[preset];
    const body = dashboardPage({
      user,
      preset,
      policy: engine.describePolicy(),
      ...sessionState(current),
      rememberMeOffered: engine.policy.rememberMe !== false,
      passkeys: await credentials.count(user.id),
    });
    return c.html(
      frame(
        {
          title: 'Dashboard',
          user: user.name,
          nav: 'dashboard',
          playground: panel(c),
          scripts: ['/public/demo.js'],
        },
        body,
      ),
      200,
      NO_STORE,
    );
  });

  app.get('/devices', signedIn(), async (c) => {
    const rows = await devicesOf(sessions, c);
    return c.html(
      frame(
        {
          title: 'Devices',
          user: c.var.user.name,
          nav: 'devices',
          playground: panel(c),
          scripts: ['/public/demo.js'],
        },
        devicesPage(rows),
      ),
      200,
      NO_STORE,
    );
  });

  app.get('/transfer', signedIn(), async (c) => {
    const policy = sessions.engines[c.var.preset].policy;
    return c.html(
      frame(
        {
          title: 'Transfer',
          user: c.var.user.name,
          nav: 'transfer',
          playground: panel(c),
          scripts: ['/public/demo.js'],
        },
        transferPage({
          freshAuthAge: transferAuthAge(policy.freshAuthAge),
          authTime: c.var.current.authTime,
          hasPasskey: (await credentials.count(c.var.user.id)) > 0,
        }),
      ),
      200,
      NO_STORE,
    );
  });

  // The single-page app signs in with tokens of its own, whatever the cookie session says.
  app.get('/spa', (c) =>
    c.html(
      frame({ title: 'Single-page app', nav: 'spa', scripts: ['/public/spa.js'] }, spaPage()),
      200,
      NO_STORE,
    ),
  );
}

/** The step-up age for a transfer: the policy's, or 5 minutes where the policy has none (`api`). */
export const transferAuthAge = (age: number | false): number => (age === false ? 5 * 60_000 : age);
