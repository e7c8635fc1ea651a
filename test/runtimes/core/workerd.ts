/** workerd entry: run the core unit suite on request and answer the report as JSON. */
import { runCoreTests } from './run-core-tests.js';

export default {
  async fetch(): Promise<Response> {
    return Response.json(await runCoreTests());
  },
};
