/**
 * Passkeys: adding one to the signed-in account, and the passkey step-up the
 * transfer asks for (`@latchkey/core/webauthn`; the browser side is
 * `@latchkey/client`'s `registerPasskey` and `passkeyStepUp`).
 */

import type { Hono } from 'hono';
import type { Passkeys } from '@latchkey/core/webauthn';
import type { DemoCredentials } from '../passkeys.js';
import type { DemoEnv } from '../sessions.js';
import { signedIn } from './common.js';

const NO_STORE = { 'cache-control': 'no-store' };
/** The purpose the transfer's challenges are bound to: one issued for anything else is refused. */
export const TRANSFER_PURPOSE = 'transfer';

export function passkeyRoutes(
  app: Hono<DemoEnv>,
  passkeysFor: (origin: string) => Passkeys,
  credentials: DemoCredentials,
) {
  const passkeys = (url: string) => passkeysFor(new URL(url).origin);

  app.get('/api/passkeys', signedIn(true), async (c) =>
    c.json({ count: await credentials.count(c.var.user.id) }, 200, NO_STORE),
  );

  app.post('/api/passkeys/register/options', signedIn(true), async (c) => {
    const { user } = c.var;
    const options = await passkeys(c.req.url).registrationOptions(c.var.session, {
      name: user.id,
      displayName: user.name,
    });
    return c.json(options, 200, NO_STORE);
  });

  app.post('/api/passkeys/register', signedIn(true), async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const verdict = await passkeys(c.req.url).verifyRegistration(c.var.session, body);
    if (!verdict.verified) return verdict.response;
    await credentials.add(verdict.credential);
    return c.json({ ok: true, count: await credentials.count(c.var.user.id) }, 200, NO_STORE);
  });

  // No passkey yet: 404, and the page's client falls back to the password.
  app.post('/api/step-up/passkey/options', signedIn(true), async (c) => {
    if ((await credentials.count(c.var.user.id)) === 0)
      return c.json({ error: 'no_passkey' }, 404, NO_STORE);
    const options = await passkeys(c.req.url).authenticationOptions(
      c.var.session,
      TRANSFER_PURPOSE,
    );
    return c.json(options, 200, NO_STORE);
  });

  app.post('/api/step-up/passkey', signedIn(true), async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const verdict = await passkeys(c.req.url).verifyAuthentication(
      c.var.session,
      body,
      TRANSFER_PURPOSE,
    );
    if (!verdict.verified) return verdict.response;
    verdict.session.delete('viaRememberMe'); // the person just used their passkey
    return c.json({ ok: true, authTime: verdict.session.authTime }, 200, NO_STORE);
  });
}
