/**
 * The fixture app's variants as fetch handlers, by name, for runtime entries
 * that serve a fetch handler (Bun.serve, Deno.serve, workerd's `fetch`).
 */

import { createFixture } from '../app.js';
import { createHonoApp } from '../hono-app.js';

export type Variant = 'fetch' | 'hono';

/** A fetch handler for `variant`: the core's `withSessions` app, or the Hono app on @latchkey/hono. */
export function variantHandler(
  variant: string | undefined,
): (request: Request) => Response | Promise<Response> {
  const fixture = createFixture();
  if (variant === 'fetch') return fixture.fetch;
  if (variant === 'hono') return createHonoApp(fixture).fetch;
  throw new Error(`unknown variant ${JSON.stringify(variant)}; expected 'fetch' or 'hono'`);
}
