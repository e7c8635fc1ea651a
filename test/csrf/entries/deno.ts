// The CSRF fixture on Deno through @latchkey/deno's serveWithSessions; prints `listening <port>`.
import { serveWithSessions } from '@latchkey/deno';
import { createCsrfFixture, CSRF_OPTIONS } from '../app.js';

const fixture = createCsrfFixture();
serveWithSessions(fixture.latchkey, ({ request, session }) => fixture.routes(request, session), {
  port: 0,
  hostname: '127.0.0.1',
  onListen: ({ port }) => console.log(`listening ${port}`),
  csrf: CSRF_OPTIONS,
});
