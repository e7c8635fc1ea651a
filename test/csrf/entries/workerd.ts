// The CSRF fixture in workerd through @latchkey/workers' withWorkerSessions. The fixture is made on the
// first request (workerd forbids random values at module scope) and lives as long as the isolate.
import { withWorkerSessions } from '@latchkey/workers';
import { createCsrfFixture, CSRF_OPTIONS, type CsrfFixture } from '../app.js';

let fixture: CsrfFixture | undefined;
const fetch = withWorkerSessions(
  () => (fixture ??= createCsrfFixture()).latchkey,
  ({ request, session }) => fixture!.routes(request, session),
  { csrf: CSRF_OPTIONS },
);

export default { fetch };
