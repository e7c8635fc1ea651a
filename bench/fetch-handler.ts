/**
 * An authenticated read beside a bare fetch handler that only builds a
 * Response: the share of a handler's throughput a session costs, in process,
 * without HTTP. It grows into the side-by-side benchmark (servers, other
 * session libraries) later. Both handlers get the same prebuilt Request.
 */

import { expiryResponse } from '../packages/core/src/index.js';
import { sink, type Case } from './case.js';
import { engineWithSessions } from './session-ops.js';

export const BARE_HANDLER = 'bare fetch handler (builds a Response)';
export const AUTHENTICATED_READ = 'authenticated read (load + commit)';

export async function handlerCases(): Promise<Case[]> {
  const { latchkey, cookie } = await engineWithSessions(1000);
  const request = new Request('https://app.example/inbox', { headers: { cookie } });

  const bare = async (_req: Request): Promise<Response> => new Response('hello');
  const authenticated = async (req: Request): Promise<Response> => {
    const rs = latchkey.forRequest(req);
    const outcome = await rs.load();
    if (!outcome.valid) return expiryResponse(req, outcome);
    return rs.commit(new Response(`hello ${outcome.session.userId}`));
  };
  const first = await authenticated(request);
  if (first.status !== 200)
    throw new Error(`bench setup: authenticated read answered ${first.status}`);

  return [
    {
      name: BARE_HANDLER,
      fn: async () => {
        sink.value = await bare(request);
      },
    },
    {
      name: AUTHENTICATED_READ,
      floor: BARE_HANDLER,
      fn: async () => {
        sink.value = await authenticated(request);
      },
    },
  ];
}
